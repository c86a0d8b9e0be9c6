/*
 * azure_report.c - the import report of `baseline import azure-policy`
 * (azure_policy.h): one line per note and the counts, as text or JSON.
 */
#include <string.h>

#include "import/azure_internal.h"

static const char *const note_names[] = {
	[BL_AZ_EVALUATED] = "evaluated",      [BL_AZ_NOT_APPLICABLE] = "not_applicable",
	[BL_AZ_MISSING] = "missing",          [BL_AZ_GUESS] = "guess",
	[BL_AZ_UNSUPPORTED] = "unsupported",  [BL_AZ_INFO] = "info",
};

const char *bl_az_note_kind_name(enum bl_az_note_kind k)
{
	return (unsigned)k < sizeof(note_names) / sizeof(note_names[0]) ? note_names[k] : "?";
}


static void count(const struct bl_az_import *imp, size_t k[6])
{
	memset(k, 0, 6 * sizeof(k[0]));
	for (size_t i = 0; i < imp->nnotes; i++)
		if ((unsigned)imp->notes[i].kind < 6)
			k[imp->notes[i].kind]++;
}

int bl_az_import_report(const struct bl_az_import *imp, struct bl_buf *out, bool json)
{
	size_t k[6];
	count(imp, k);
	if (!json) {
		for (size_t i = 0; i < imp->nnotes; i++) {
			const struct bl_az_note *n = &imp->notes[i];
			bl_buf_printf(out, "%-15s %s%s%s", bl_az_note_kind_name(n->kind),
				      n->control ? n->control : "", n->control ? ": " : "", n->text);
			if (n->file && n->kind != BL_AZ_EVALUATED)
				bl_buf_printf(out, "  (%s:%u)", n->file, n->line);
			bl_buf_addc(out, '\n');
		}
		if (!imp->ndefs && !imp->nsets) {
			bl_buf_printf(out, "%zu exemption(s) imported, %zu refused\n",
				      k[BL_AZ_EVALUATED], k[BL_AZ_UNSUPPORTED]);
			return out->failed ? BL_ENOMEM : 0;
		}
		bl_buf_printf(out,
			      "%zu controls: %zu evaluated, %zu not applicable; %zu members missing; %zu alias guesses; %zu unsupported\n",
			      imp->ncontrols, k[BL_AZ_EVALUATED], k[BL_AZ_NOT_APPLICABLE], k[BL_AZ_MISSING],
			      k[BL_AZ_GUESS], k[BL_AZ_UNSUPPORTED]);
		return out->failed ? BL_ENOMEM : 0;
	}
	bl_buf_printf(out,
		      "{\"controls\": %zu, \"evaluated\": %zu, \"not_applicable\": %zu, \"missing\": %zu, \"guesses\": %zu, \"unsupported\": %zu, \"notes\": [",
		      imp->ncontrols, k[BL_AZ_EVALUATED], k[BL_AZ_NOT_APPLICABLE], k[BL_AZ_MISSING],
		      k[BL_AZ_GUESS], k[BL_AZ_UNSUPPORTED]);
	for (size_t i = 0; i < imp->nnotes; i++) {
		const struct bl_az_note *n = &imp->notes[i];
		bl_buf_printf(out, "%s\n  {\"kind\": \"%s\", \"control\": ", i ? "," : "",
			      bl_az_note_kind_name(n->kind));
		if (n->control)
			bl_az_quote(out, n->control, strlen(n->control));
		else
			bl_buf_adds(out, "null");
		bl_buf_adds(out, ", \"message\": ");
		bl_az_quote(out, n->text, strlen(n->text));
		bl_buf_adds(out, ", \"file\": ");
		if (n->file)
			bl_az_quote(out, n->file, strlen(n->file));
		else
			bl_buf_adds(out, "null");
		bl_buf_printf(out, ", \"line\": %u}", n->line);
	}
	bl_buf_adds(out, "\n]}\n");
	return out->failed ? BL_ENOMEM : 0;
}

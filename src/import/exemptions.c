/*
 * exemptions.c - Azure Policy exemptions into exception documents
 * (exemptions.h).
 */
#include <string.h>

#include "import/azure_internal.h"
#include "import/exemptions.h"

#define EXEMPTION_MARK "/providers/Microsoft.Authorization/policyExemptions/"

struct xctx {
	struct bl_az_import *imp;
	struct bl_buf *out;
	const char *file;
	size_t written;
};

static struct bl_str str_of(const struct bl_value *obj, const char *key)
{
	struct bl_str s = {"", 0};
	size_t len;
	const char *p = obj ? bl_value_strz(obj, key, &len) : NULL;
	if (p) {
		s.s = p;
		s.len = len;
	}
	return s;
}

/* Letters, digits and ._:- kept; anything else becomes '-'. */
static void put_id(struct bl_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  strchr("._:-", c);
		bl_buf_addc(out, ok && c ? c : '-');
	}
}

/* expiresOn is RFC 3339; our exceptions expire on a day: its date part. */
static bool expiry_day(struct bl_str e, char day[11])
{
	if (e.len < 10)
		return false;
	for (size_t i = 0; i < 10; i++) {
		bool digit = e.s[i] >= '0' && e.s[i] <= '9';
		if ((i == 4 || i == 7) ? e.s[i] != '-' : !digit)
			return false;
	}
	memcpy(day, e.s, 10);
	day[10] = '\0';
	return true;
}

static int one(struct xctx *x, const struct bl_value *v)
{
	const struct bl_value *props = bl_value_getz(v, "properties");
	if (!props || props->type != BL_VOBJ)
		props = v;
	struct bl_str name = str_of(v, "name"), id = str_of(v, "id");
	struct bl_str cat = str_of(props, "exemptionCategory");
	struct bl_str scope = str_of(props, "scope");
	if (!scope.len)
		scope = str_of(v, "scope");
	if (!scope.len && id.len) {
		/* The exemption lives at its scope: the id up to the provider part. */
		for (size_t i = 0; i + sizeof(EXEMPTION_MARK) - 1 <= id.len; i++)
			if (bl_str_ieq(id.s + i, sizeof(EXEMPTION_MARK) - 1, EXEMPTION_MARK,
				       sizeof(EXEMPTION_MARK) - 1)) {
				scope.s = id.s;
				scope.len = i;
				break;
			}
	}
	const char *label = name.len ? bl_arena_strndup(&x->imp->arena, name.s, name.len) : "exemption";
	if (!label)
		return BL_ENOMEM;
	char day[11];
	const char *why = NULL;
	if (!bl_str_ieq(cat.s, cat.len, "waiver", 6) && !bl_str_ieq(cat.s, cat.len, "mitigated", 9))
		why = "exemptionCategory must be Waiver or Mitigated";
	else if (!expiry_day(str_of(props, "expiresOn"), day))
		why = "no expiresOn: exceptions must expire (set one in Azure, or write the exception by hand)";
	else if (!scope.len)
		why = "no scope: neither properties.scope nor an exemption resource id";
	if (why)
		return bl_az_note(x->imp, BL_AZ_UNSUPPORTED, label, x->file, v, "refused: %s", why);

	const struct bl_value *meta = bl_value_getz(props, "metadata");
	const struct bl_value *sys = bl_value_getz(v, "systemData");
	struct bl_str approved = str_of(meta, "approvedBy");
	struct bl_str requested = str_of(meta, "requestedBy");
	struct bl_str ticket = str_of(meta, "ticketRef");
	if (!approved.len)
		approved = str_of(sys, "createdBy");
	struct bl_str display = str_of(props, "displayName"), desc = str_of(props, "description");
	struct bl_buf just;
	bl_buf_init(&just, 0);
	bl_buf_add(&just, display.s, display.len);
	if (display.len && desc.len)
		bl_buf_adds(&just, ": ");
	bl_buf_add(&just, desc.s, desc.len);
	if (!just.len)
		bl_buf_printf(&just, "Azure Policy exemption %s", label);
	if (requested.len)
		bl_buf_printf(&just, " (requested by %.*s)", (int)requested.len, requested.s);

	const struct bl_value *refs = bl_value_getz(props, "policyDefinitionReferenceIds");
	uint32_t nrefs = refs && refs->type == BL_VARR ? refs->u.arr.n : 0;
	int rc = 0;
	for (uint32_t r = 0; r < (nrefs ? nrefs : 1); r++) {
		const struct bl_value *ref = nrefs ? &refs->u.arr.items[r] : NULL;
		if (ref && ref->type != BL_VSTR)
			continue;
		struct bl_buf *o = x->out;
		bl_buf_adds(o, "  - id: \"AZX-");
		put_id(o, name.s, name.len);
		if (nrefs > 1)
			bl_buf_printf(o, ".%u", r + 1);
		bl_buf_adds(o, "\"\n    control: ");
		if (ref) {
			struct bl_buf cid;
			bl_buf_init(&cid, 0);
			put_id(&cid, ref->u.str.s, ref->u.str.len);
			bl_az_quote(o, cid.data ? cid.data : "", cid.len);
			bl_buf_free(&cid);
		} else {
			bl_buf_adds(o, "\"*\"");
		}
		bl_buf_adds(o, "\n    assets: [");
		bl_az_quote(o, scope.s, scope.len);
		bl_buf_adds(o, ", ");
		struct bl_buf glob;
		bl_buf_init(&glob, 0);
		bl_buf_add(&glob, scope.s, scope.len);
		bl_buf_adds(&glob, "/*");
		bl_az_quote(o, glob.data, glob.len);
		bl_buf_free(&glob);
		bl_buf_printf(o, "]\n    category: %s\n    justification: ",
			      bl_str_ieq(cat.s, cat.len, "waiver", 6) ? "waiver" : "mitigated");
		bl_az_quote(o, just.data, just.len);
		bl_buf_adds(o, "\n    approved_by: ");
		if (approved.len)
			bl_az_quote(o, approved.s, approved.len);
		else
			bl_buf_printf(o, "\"unknown (Azure Policy exemption %s)\"", label);
		if (ticket.len) {
			bl_buf_adds(o, "\n    ticket: ");
			bl_az_quote(o, ticket.s, ticket.len);
		}
		bl_buf_printf(o, "\n    expires: \"%s\"\n", day);
		x->written++;
	}
	bl_buf_free(&just);
	if (!approved.len)
		rc = bl_az_note(x->imp, BL_AZ_INFO, label, x->file, v,
				"no metadata.approvedBy or systemData.createdBy: approved_by says unknown");
	if (!rc)
		rc = bl_az_note(x->imp, BL_AZ_EVALUATED, label, x->file, v,
				"exemption: %u exception(s), expires %s", nrefs ? nrefs : 1, day);
	return rc ? rc : (x->out->failed ? BL_ENOMEM : 0);
}

static bool looks_like_exemption(const struct bl_value *v)
{
	const struct bl_value *props = bl_value_getz(v, "properties");
	if (!props || props->type != BL_VOBJ)
		props = v;
	return v->type == BL_VOBJ && bl_value_getz(props, "exemptionCategory");
}

int bl_az_exemptions_write(struct bl_az_import *imp, struct bl_buf *out,
			   const struct bl_value *doc, const char *file, struct bl_error *err)
{
	const struct bl_value *list = doc;
	if (doc->type == BL_VOBJ && !looks_like_exemption(doc)) {
		list = bl_value_getz(doc, "value");
		if (!list || list->type != BL_VARR)
			return bl_error_set(err, BL_EINVAL, file, doc->line, doc->col,
					    "not an Azure Policy exemption (no properties.exemptionCategory) or a list of them");
	}
	struct xctx x = {.imp = imp, .out = out, .file = file};
	bl_buf_adds(out, "# Imported from Azure Policy exemptions in ");
	bl_az_comment_text(out, file);
	bl_buf_adds(out, " by `baseline import azure-policy`.\nexceptions:\n");
	size_t start = out->len;
	uint32_t n = list->type == BL_VARR ? list->u.arr.n : 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct bl_value *v = list->type == BL_VARR ? &list->u.arr.items[i] : list;
		if (!looks_like_exemption(v))
			return bl_error_set(err, BL_EINVAL, file, v->line, v->col,
					    "not an Azure Policy exemption (no properties.exemptionCategory)");
		int rc = one(&x, v);
		if (rc)
			return bl_error_set(err, rc, file, v->line, v->col, "out of memory");
	}
	if (out->len == start)
		bl_buf_adds(out, "  []\n");
	return out->failed ? bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory") : 0;
}

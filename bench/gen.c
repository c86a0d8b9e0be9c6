/*
 * gen.c - deterministic generator of synthetic Azure Resource Graph-like
 * snapshots for `make bench`.
 *
 *   gen -n COUNT [-s SEED] [-f lines|array|wrapped] [-o FILE]
 *
 * Resource i depends only on (SEED, i), so the 100k snapshot is a prefix of
 * the 1M one and every shape of the same (COUNT, SEED) holds the same
 * resources.  Types: storage accounts, NSGs (1-20 rules), VMs, key vaults,
 * SQL servers, web apps; ~1 KB each on average.  Each checked property is
 * compliant about 70% of the time, and a few values vary in letter case,
 * are missing, or are booleans written as strings, so that the bench's
 * equality check exercises Azure's comparison semantics.  Strings that need
 * JSON escapes (quotes, backslashes, \u escapes, raw UTF-8) occur too.
 *
 * Standalone on purpose (libc only): the bench builds it with `cc -O2`.
 * Exit status: 0 on success, 2 on bad usage, 1 on a write error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG: splitmix64; no rand(), so output never depends on libc ---- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0.  The modulo bias is irrelevant here. */
static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

/* ---- output buffer ------------------------------------------------------ */

struct out {
	FILE *f;
	char buf[1 << 20];
	size_t len;
	int failed;
};

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->failed = 1;
	o->len = 0;
}

static void putn(struct out *o, const char *s, size_t n)
{
	if (o->len + n > sizeof o->buf)
		out_flush(o);
	if (n > sizeof o->buf) {
		if (fwrite(s, 1, n, o->f) != n)
			o->failed = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put(struct out *o, const char *s)
{
	putn(o, s, strlen(s));
}

static void putch(struct out *o, char c)
{
	putn(o, &c, 1);
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	putn(o, tmp + i, sizeof tmp - i);
}

/* Digits with leading zeros to width w (w <= 20). */
static void put_u64w(struct out *o, uint64_t v, int w)
{
	char tmp[24];
	int i = 24;
	while (w-- > 0 || v) {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
		if (i == 0)
			break;
	}
	putn(o, tmp + i, (size_t)(24 - i));
}

/* A JSON string: escapes quotes, backslashes and control characters; bytes
 * >= 0x80 are copied (callers only pass valid UTF-8). */
static void put_jstr(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	putch(o, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			putch(o, '\\');
			putch(o, (char)c);
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			putn(o, e, 6);
		} else {
			putch(o, (char)c);
		}
	}
	putch(o, '"');
}

static void put_guid(struct out *o, struct rng *r)
{
	static const char hex[] = "0123456789abcdef";
	char g[36];
	uint64_t a = rng_next(r), b = rng_next(r);
	for (int i = 0, k = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			g[i] = '-';
			continue;
		}
		uint64_t *src = k < 16 ? &a : &b;
		g[i] = hex[*src & 15];
		*src >>= 4;
		k++;
	}
	putn(o, g, 36);
}

/* An RFC 3339 timestamp with 7 fractional digits, as ARM writes them. */
static void put_time(struct out *o, struct rng *r)
{
	putch(o, '"');
	put_u64(o, 2019 + rng_below(r, 6));
	putch(o, '-');
	put_u64w(o, 1 + rng_below(r, 12), 2);
	putch(o, '-');
	put_u64w(o, 1 + rng_below(r, 28), 2);
	putch(o, 'T');
	put_u64w(o, rng_below(r, 24), 2);
	putch(o, ':');
	put_u64w(o, rng_below(r, 60), 2);
	putch(o, ':');
	put_u64w(o, rng_below(r, 60), 2);
	putch(o, '.');
	put_u64w(o, rng_below(r, 10000000), 7);
	put(o, "Z\"");
}

/* ---- weighted choices of raw JSON tokens -------------------------------- */

/* v is raw JSON text; NULL means "leave the key out".  Weights sum to 100. */
struct wopt {
	const char *v;
	unsigned w;
};

static const char *pickw(struct rng *r, const struct wopt *opts)
{
	unsigned x = rng_below(r, 100), acc = 0;
	for (; opts->w; opts++) {
		acc += opts->w;
		if (x < acc)
			return opts->v;
	}
	return NULL;
}

static const char *pickl(struct rng *r, const char *const *list, unsigned n)
{
	return list[rng_below(r, n)];
}

/* `,"key":raw` when raw is not NULL. */
static void opt_field(struct out *o, const char *key, const char *raw)
{
	if (!raw)
		return;
	put(o, ",\"");
	put(o, key);
	put(o, "\":");
	put(o, raw);
}

/* ---- shared vocabulary --------------------------------------------------- */

static const char *const locations[] = {
	"westeurope", "northeurope", "eastus", "eastus2", "westus2", "uksouth",
	"swedencentral", "francecentral", "germanywestcentral", "centralus",
};
static const char *const apps[] = {
	"payments", "web", "crm", "data", "hr", "shop", "iot", "ml", "ops", "auth",
	"search", "billing",
};
static const char *const envs[] = {"prod", "dev", "test", "uat", "stage"};
static const char *const owners[] = {
	"team-payments@contoso.com", "platform@contoso.com", "j.doe@contoso.com",
	"secops@contoso.com", "data-eng@contoso.com",
};
/* Tag values with characters JSON must escape, and raw/escaped UTF-8. */
static const char *const notes[] = {
	"Migrated from \"legacy\" DC",
	"path C:\\data\\exports",
	"Z\xc3\xbcrich \xe2\x80\x93 caf\xc3\xa9",
	"line one\nline two\ttabbed",
	"\xe6\x9d\xb1\xe4\xba\xac region \xf0\x9f\x94\x92",
};

struct ctx {
	struct rng r;
	uint64_t idx;
	char sub[37];          /* subscription guid */
	char rg[64];
	char name[64];
	const char *app, *env;
};

enum rtype { T_STORAGE, T_NSG, T_VM, T_KV, T_SQL, T_WEB };

static const struct {
	const char *canon;     /* as in resource ids */
	const char *lower;     /* as Resource Graph returns it */
	const char *prefix;    /* name prefix */
	int hyphen;            /* storage account names have no hyphens */
} types[] = {
	[T_STORAGE] = {"Microsoft.Storage/storageAccounts",
		       "microsoft.storage/storageaccounts", "st", 0},
	[T_NSG] = {"Microsoft.Network/networkSecurityGroups",
		   "microsoft.network/networksecuritygroups", "nsg", 1},
	[T_VM] = {"Microsoft.Compute/virtualMachines",
		  "microsoft.compute/virtualmachines", "vm", 1},
	[T_KV] = {"Microsoft.KeyVault/vaults", "microsoft.keyvault/vaults", "kv", 1},
	[T_SQL] = {"Microsoft.Sql/servers", "microsoft.sql/servers", "sql", 1},
	[T_WEB] = {"Microsoft.Web/sites", "microsoft.web/sites", "app", 1},
};

static void put_id(struct out *o, const struct ctx *c, enum rtype t)
{
	put(o, "/subscriptions/");
	put(o, c->sub);
	put(o, "/resourceGroups/");
	put(o, c->rg);
	put(o, "/providers/");
	put(o, types[t].canon);
	putch(o, '/');
	put(o, c->name);
}

static void put_tags(struct out *o, struct ctx *c)
{
	unsigned x = rng_below(&c->r, 100);
	if (x < 2) {
		put(o, "null");
		return;
	}
	if (x < 6) {
		put(o, "{}");
		return;
	}
	put(o, "{\"environment\":");
	put_jstr(o, c->env);
	put(o, ",\"application\":");
	put_jstr(o, c->app);
	if (rng_below(&c->r, 100) < 88) {
		put(o, ",\"owner\":");
		put_jstr(o, pickl(&c->r, owners, 5));
	}
	x = rng_below(&c->r, 100);
	if (x < 88) {
		put(o, ",\"costCenter\":\"");
		put(o, x < 78 ? "CC-" : x < 82 ? "cc-" : "");
		put_u64w(o, 1000 + rng_below(&c->r, 9000), 4);
		putch(o, '"');
	}
	if (rng_below(&c->r, 100) < 8) {
		put(o, ",\"note\":");
		put_jstr(o, pickl(&c->r, notes, 5));
	}
	putch(o, '}');
}

/* The members every Resource Graph row has, up to and excluding properties. */
static void put_head(struct out *o, struct ctx *c, enum rtype t, const char *kind,
		     const char *sku)
{
	put(o, "{\"id\":\"");
	put_id(o, c, t);
	put(o, "\",\"name\":");
	put_jstr(o, c->name);
	put(o, ",\"type\":");
	put_jstr(o, rng_below(&c->r, 100) < 60 ? types[t].lower : types[t].canon);
	put(o, ",\"tenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"kind\":");
	put(o, kind);
	put(o, ",\"location\":");
	put_jstr(o, pickl(&c->r, locations, 10));
	put(o, ",\"resourceGroup\":");
	put_jstr(o, c->rg);
	put(o, ",\"subscriptionId\":\"");
	put(o, c->sub);
	put(o, "\",\"managedBy\":\"\",\"sku\":");
	put(o, sku);
	put(o, ",\"plan\":null,\"tags\":");
	put_tags(o, c);
	put(o, ",\"identity\":");
	put(o, rng_below(&c->r, 100) < 25
		       ? "{\"type\":\"SystemAssigned\",\"principalId\":\"0b7a1c2e-55f4-4b39-9d55-1f0d0c3c9a11\",\"tenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\"}"
		       : "null");
	put(o, ",\"zones\":null,\"extendedLocation\":null");
}

/* ---- storage accounts ----------------------------------------------------- */

static void gen_storage(struct out *o, struct ctx *c)
{
	static const struct wopt https[] = {
		{"true", 72}, {"false", 20}, {NULL, 3}, {"\"True\"", 3}, {"\"false\"", 2}, {0, 0}};
	static const struct wopt tls[] = {
		{"\"TLS1_2\"", 60}, {"\"tls1_2\"", 5}, {"\"TLS1_3\"", 3}, {"\"TLS1_0\"", 15},
		{"\"TLS1_1\"", 10}, {NULL, 7}, {0, 0}};
	static const struct wopt pub[] = {{"false", 65}, {"true", 25}, {NULL, 10}, {0, 0}};
	static const struct wopt pna[] = {
		{"\"Disabled\"", 20}, {"\"Enabled\"", 60}, {NULL, 20}, {0, 0}};
	static const struct wopt acl[] = {
		{"\"Deny\"", 58}, {"\"deny\"", 5}, {"\"Allow\"", 32}, {NULL, 5}, {0, 0}};
	static const struct wopt sku[] = {
		{"{\"name\":\"Standard_LRS\",\"tier\":\"Standard\"}", 40},
		{"{\"name\":\"Standard_GRS\",\"tier\":\"Standard\"}", 25},
		{"{\"name\":\"Standard_ZRS\",\"tier\":\"Standard\"}", 20},
		{"{\"name\":\"Premium_LRS\",\"tier\":\"Premium\"}", 15}, {0, 0}};
	static const char *const kinds[] = {"\"StorageV2\"", "\"StorageV2\"", "\"BlobStorage\"",
					    "\"FileStorage\"", "\"Storage\""};
	static const char *const eps[] = {"blob", "file", "dfs"};

	put_head(o, c, T_STORAGE, pickl(&c->r, kinds, 5), pickw(&c->r, sku));
	put(o, ",\"properties\":{\"provisioningState\":\"Succeeded\",\"creationTime\":");
	put_time(o, &c->r);
	put(o, ",\"primaryEndpoints\":{");
	for (int i = 0; i < 3; i++) {
		put(o, i ? ",\"" : "\"");
		put(o, eps[i]);
		put(o, "\":\"https://");
		put(o, c->name);
		putch(o, '.');
		put(o, eps[i]);
		put(o, ".core.windows.net/\"");
	}
	put(o, "},\"statusOfPrimary\":\"available\",\"accessTier\":");
	put(o, rng_below(&c->r, 100) < 80 ? "\"Hot\"" : "\"Cool\"");
	opt_field(o, "supportsHttpsTrafficOnly", pickw(&c->r, https));
	opt_field(o, "minimumTlsVersion", pickw(&c->r, tls));
	opt_field(o, "allowBlobPublicAccess", pickw(&c->r, pub));
	opt_field(o, "allowSharedKeyAccess", rng_below(&c->r, 100) < 50 ? "true" : "false");
	opt_field(o, "publicNetworkAccess", pickw(&c->r, pna));
	const char *da = pickw(&c->r, acl);
	if (da) {
		put(o, ",\"networkAcls\":{\"bypass\":\"AzureServices\",\"virtualNetworkRules\":[");
		unsigned nv = rng_below(&c->r, 2);
		for (unsigned i = 0; i < nv; i++) {
			put(o, i ? ",{\"id\":\"/subscriptions/" : "{\"id\":\"/subscriptions/");
			put(o, c->sub);
			put(o, "/resourceGroups/");
			put(o, c->rg);
			put(o, "/providers/Microsoft.Network/virtualNetworks/vnet-");
			put(o, c->app);
			put(o, "/subnets/snet-");
			put_u64(o, i);
			put(o, "\",\"action\":\"Allow\",\"state\":\"Succeeded\"}");
		}
		put(o, "],\"ipRules\":[");
		if (rng_below(&c->r, 100) < 30)
			put(o, "{\"value\":\"203.0.113.0/24\",\"action\":\"Allow\"}");
		put(o, "],\"defaultAction\":");
		put(o, da);
		putch(o, '}');
	}
	put(o, ",\"encryption\":{\"services\":{\"blob\":{\"keyType\":\"Account\",\"enabled\":true,"
	       "\"lastEnabledTime\":");
	put_time(o, &c->r);
	put(o, "}},\"keySource\":");
	put(o, rng_below(&c->r, 100) < 85 ? "\"Microsoft.Storage\"" : "\"Microsoft.Keyvault\"");
	put(o, ",\"requireInfrastructureEncryption\":");
	put(o, rng_below(&c->r, 100) < 30 ? "true" : "false");
	put(o, "}}}");
}

/* ---- network security groups ---------------------------------------------- */

static void gen_rule(struct out *o, struct ctx *c, unsigned i, int inbound_bad)
{
	static const char *const ports[] = {"22", "3389", "443", "80", "1433", "8080-8090",
					    "*", "5985-5986", "53"};
	static const char *const srcs[] = {"*", "Internet", "0.0.0.0/0", "10.0.0.0/8",
					   "VirtualNetwork", "AzureLoadBalancer", "192.168.10.0/24",
					   "203.0.113.7"};
	static const struct wopt access[] = {
		{"\"Allow\"", 72}, {"\"allow\"", 3}, {"\"Deny\"", 25}, {0, 0}};
	static const struct wopt dir[] = {
		{"\"Inbound\"", 70}, {"\"inbound\"", 3}, {"\"Outbound\"", 27}, {0, 0}};
	static const char *const mgmt[] = {"22", "3389", "*"};
	static const char *const protos[] = {"\"Tcp\"", "\"Udp\"", "\"*\"", "\"Tcp\"", "\"Icmp\""};

	put(o, i ? ",{\"name\":\"rule-" : "{\"name\":\"rule-");
	put_u64(o, i);
	put(o, "\",\"properties\":{\"provisioningState\":\"Succeeded\",\"protocol\":");
	put(o, pickl(&c->r, protos, 5));
	put(o, ",\"sourcePortRange\":\"*\"");
	/* A rule that opens a management port to the internet, on purpose. */
	if (inbound_bad) {
		put(o, ",\"destinationPortRange\":");
		put_jstr(o, pickl(&c->r, mgmt, 3));
		put(o, ",\"sourceAddressPrefix\":");
		put_jstr(o, pickl(&c->r, srcs, 3));
		put(o, ",\"access\":\"Allow\",\"direction\":\"Inbound\"");
	} else {
		if (rng_below(&c->r, 100) < 80) {
			put(o, ",\"destinationPortRange\":");
			put_jstr(o, pickl(&c->r, ports, 9));
		} else {
			put(o, ",\"destinationPortRanges\":[\"22\",\"443\",\"8443\"]");
		}
		if (rng_below(&c->r, 100) < 85) {
			put(o, ",\"sourceAddressPrefix\":");
			/* Mostly internal sources; the open ones come with Deny or
			 * Outbound or a harmless port. */
			put_jstr(o, pickl(&c->r, srcs, 8));
		} else {
			put(o, ",\"sourceAddressPrefixes\":[\"10.1.0.0/16\",\"10.2.0.0/16\"]");
		}
		opt_field(o, "access", pickw(&c->r, access));
		opt_field(o, "direction", pickw(&c->r, dir));
	}
	put(o, ",\"destinationAddressPrefix\":\"*\",\"priority\":");
	put_u64(o, 100 + 10 * i);
	put(o, ",\"sourcePortRanges\":[],\"destinationAddressPrefixes\":[]}}");
}

static void gen_nsg(struct out *o, struct ctx *c)
{
	put_head(o, c, T_NSG, "\"\"", "null");
	put(o, ",\"etag\":\"W/\\\"");
	put_guid(o, &c->r);
	put(o, "\\\"\",\"properties\":{\"provisioningState\":\"Succeeded\",\"resourceGuid\":\"");
	put_guid(o, &c->r);
	put(o, "\",\"securityRules\":[");
	unsigned n = rng_below(&c->r, 100) < 85 ? 1 + rng_below(&c->r, 3) : 4 + rng_below(&c->r, 17);
	/* About 3 in 10 NSGs get one rule that opens SSH/RDP to the world;
	 * the other rules can still match by chance. */
	unsigned bad = rng_below(&c->r, 100) < 14 ? rng_below(&c->r, n) : n;
	for (unsigned i = 0; i < n; i++)
		gen_rule(o, c, i, i == bad);
	put(o, "],\"subnets\":[{\"id\":\"/subscriptions/");
	put(o, c->sub);
	put(o, "/resourceGroups/");
	put(o, c->rg);
	put(o, "/providers/Microsoft.Network/virtualNetworks/vnet-");
	put(o, c->app);
	put(o, "/subnets/default\"}]}}");
}

/* ---- virtual machines ----------------------------------------------------- */

static void gen_vm(struct out *o, struct ctx *c)
{
	static const char *const sizes[] = {"\"Standard_D2s_v5\"", "\"Standard_B2ms\"",
					    "\"Standard_E4s_v5\"", "\"Standard_F8s_v2\""};
	static const struct wopt ostype[] = {
		{"\"Linux\"", 55}, {"\"linux\"", 3}, {"\"Windows\"", 42}, {0, 0}};
	static const struct wopt nopw[] = {{"true", 70}, {"false", 25}, {NULL, 5}, {0, 0}};
	static const struct wopt disk[] = {
		{"\"Premium_LRS\"", 52}, {"\"StandardSSD_LRS\"", 23}, {"\"Standard_LRS\"", 14},
		{"\"standard_lrs\"", 3}, {"\"Premium_ZRS\"", 8}, {0, 0}};

	put_head(o, c, T_VM, "\"\"", "null");
	put(o, ",\"properties\":{\"vmId\":\"");
	put_guid(o, &c->r);
	put(o, "\",\"hardwareProfile\":{\"vmSize\":");
	put(o, pickl(&c->r, sizes, 4));
	const char *os = pickw(&c->r, ostype);
	int linux = os[1] != 'W';
	put(o, "},\"storageProfile\":{\"imageReference\":");
	put(o, linux ? "{\"publisher\":\"Canonical\",\"offer\":\"0001-com-ubuntu-server-jammy\","
		       "\"sku\":\"22_04-lts-gen2\",\"version\":\"latest\"}"
		     : "{\"publisher\":\"MicrosoftWindowsServer\",\"offer\":\"WindowsServer\","
		       "\"sku\":\"2022-datacenter-azure-edition\",\"version\":\"latest\"}");
	put(o, ",\"osDisk\":{\"osType\":");
	put(o, os);
	put(o, ",\"createOption\":\"FromImage\",\"caching\":\"ReadWrite\","
	       "\"managedDisk\":{\"storageAccountType\":\"Premium_LRS\"},\"diskSizeGB\":");
	put(o, linux ? "30" : "127");
	putch(o, '}');
	unsigned dd = rng_below(&c->r, 100);
	if (dd >= 15) {                /* 15%: no dataDisks key at all */
		put(o, ",\"dataDisks\":[");
		unsigned n = dd < 40 ? 0 : 1 + rng_below(&c->r, 3);
		for (unsigned i = 0; i < n; i++) {
			put(o, i ? ",{\"lun\":" : "{\"lun\":");
			put_u64(o, i);
			put(o, ",\"name\":\"");
			put(o, c->name);
			put(o, "-data-");
			put_u64(o, i);
			put(o, "\",\"createOption\":\"Empty\",\"caching\":\"None\",\"diskSizeGB\":");
			put_u64(o, 128u << rng_below(&c->r, 4));
			put(o, ",\"managedDisk\":{\"storageAccountType\":");
			put(o, pickw(&c->r, disk));
			put(o, "},\"toBeDetached\":false}");
		}
		putch(o, ']');
	}
	put(o, "},\"osProfile\":{\"computerName\":");
	put_jstr(o, c->name);
	put(o, ",\"adminUsername\":\"azureuser\"");
	if (linux) {
		const char *pw = pickw(&c->r, nopw);
		if (pw) {
			put(o, ",\"linuxConfiguration\":{\"disablePasswordAuthentication\":");
			put(o, pw);
			put(o, ",\"provisionVMAgent\":true,\"patchSettings\":{\"patchMode\":"
			       "\"ImageDefault\",\"assessmentMode\":\"ImageDefault\"}}");
		}
	} else {
		put(o, ",\"windowsConfiguration\":{\"provisionVMAgent\":true,"
		       "\"enableAutomaticUpdates\":true,\"patchSettings\":{\"patchMode\":"
		       "\"AutomaticByOS\",\"assessmentMode\":\"ImageDefault\"}}");
	}
	put(o, ",\"secrets\":[],\"allowExtensionOperations\":true}");
	if (rng_below(&c->r, 100) < 75) {
		put(o, ",\"securityProfile\":{\"securityType\":\"TrustedLaunch\",\"uefiSettings\":"
		       "{\"secureBootEnabled\":");
		put(o, rng_below(&c->r, 100) < 70 ? "true" : "false");
		put(o, ",\"vTpmEnabled\":true},\"encryptionAtHost\":");
		put(o, rng_below(&c->r, 100) < 60 ? "true" : "false");
		putch(o, '}');
	}
	put(o, ",\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"/subscriptions/");
	put(o, c->sub);
	put(o, "/resourceGroups/");
	put(o, c->rg);
	put(o, "/providers/Microsoft.Network/networkInterfaces/");
	put(o, c->name);
	put(o, "-nic\"}]},\"diagnosticsProfile\":{\"bootDiagnostics\":{\"enabled\":");
	put(o, rng_below(&c->r, 100) < 70 ? "true" : "false");
	put(o, "}},\"provisioningState\":\"Succeeded\",\"timeCreated\":");
	put_time(o, &c->r);
	put(o, "},\"resources\":[");
	unsigned ne = rng_below(&c->r, 2);
	for (unsigned i = 0; i < ne; i++) {
		const char *ext = linux ? (i ? "AADSSHLoginForLinux" : "AzureMonitorLinuxAgent")
					: (i ? "IaaSAntimalware" : "AzureMonitorWindowsAgent");
		put(o, i ? ",{\"name\":\"" : "{\"name\":\"");
		put(o, ext);
		put(o, "\",\"properties\":{\"autoUpgradeMinorVersion\":true,"
		       "\"provisioningState\":\"Succeeded\",\"typeHandlerVersion\":\"1.");
		put_u64(o, rng_below(&c->r, 30));
		put(o, "\"}}");
	}
	put(o, "]}");
}

/* ---- key vaults ----------------------------------------------------------- */

static void gen_kv(struct out *o, struct ctx *c)
{
	static const struct wopt soft[] = {{"true", 80}, {"false", 8}, {NULL, 12}, {0, 0}};
	static const struct wopt purge[] = {{"true", 72}, {"false", 8}, {NULL, 20}, {0, 0}};
	static const struct wopt acl[] = {
		{"\"Deny\"", 65}, {"\"Allow\"", 30}, {NULL, 5}, {0, 0}};

	put_head(o, c, T_KV, "\"\"", "null");
	put(o, ",\"properties\":{\"sku\":{\"family\":\"A\",\"name\":");
	put(o, rng_below(&c->r, 100) < 80 ? "\"standard\"" : "\"premium\"");
	put(o, "},\"tenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"accessPolicies\":[");
	unsigned np = rng_below(&c->r, 2);
	for (unsigned i = 0; i < np; i++) {
		put(o, i ? ",{\"tenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"objectId\":\""
			 : "{\"tenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"objectId\":\"");
		put_guid(o, &c->r);
		put(o, "\",\"permissions\":{\"keys\":[\"Get\",\"List\",\"WrapKey\",\"UnwrapKey\"],"
		       "\"secrets\":[\"Get\",\"List\"],\"certificates\":[]}}");
	}
	put(o, "],\"enabledForDeployment\":false,\"enabledForDiskEncryption\":");
	put(o, rng_below(&c->r, 100) < 30 ? "true" : "false");
	put(o, ",\"enabledForTemplateDeployment\":false");
	const char *sd = pickw(&c->r, soft);
	opt_field(o, "enableSoftDelete", sd);
	if (sd)
		put(o, ",\"softDeleteRetentionInDays\":90");
	opt_field(o, "enableRbacAuthorization", rng_below(&c->r, 100) < 60 ? "true" : NULL);
	opt_field(o, "enablePurgeProtection", pickw(&c->r, purge));
	put(o, ",\"vaultUri\":\"https://");
	put(o, c->name);
	put(o, ".vault.azure.net/\",\"provisioningState\":\"Succeeded\","
	       "\"publicNetworkAccess\":");
	put(o, rng_below(&c->r, 100) < 70 ? "\"Enabled\"" : "\"Disabled\"");
	const char *da = pickw(&c->r, acl);
	if (da) {
		put(o, ",\"networkAcls\":{\"bypass\":\"AzureServices\",\"defaultAction\":");
		put(o, da);
		put(o, ",\"ipRules\":[],\"virtualNetworkRules\":[]}");
	}
	put(o, "}}");
}

/* ---- SQL servers ----------------------------------------------------------- */

static void gen_sql(struct out *o, struct ctx *c)
{
	static const struct wopt tls[] = {
		{"\"1.2\"", 72}, {"\"1.3\"", 13}, {"\"1.0\"", 10}, {"\"1.1\"", 5}, {0, 0}};
	static const struct wopt pna[] = {
		{"\"Disabled\"", 75}, {"\"Enabled\"", 12}, {"\"enabled\"", 3}, {NULL, 10}, {0, 0}};

	put_head(o, c, T_SQL, "\"v12.0\"", "null");
	put(o, ",\"properties\":{\"administratorLogin\":\"sqladmin\",\"version\":\"12.0\","
	       "\"state\":\"Ready\",\"fullyQualifiedDomainName\":\"");
	put(o, c->name);
	put(o, ".database.windows.net\",\"privateEndpointConnections\":[],\"minimalTlsVersion\":");
	put(o, pickw(&c->r, tls));
	opt_field(o, "publicNetworkAccess", pickw(&c->r, pna));
	put(o, ",\"restrictOutboundNetworkAccess\":\"Disabled\",\"administrators\":"
	       "{\"administratorType\":\"ActiveDirectory\",\"principalType\":\"Group\","
	       "\"login\":\"sql-admins\",\"sid\":\"");
	put_guid(o, &c->r);
	put(o, "\",\"tenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\","
	       "\"azureADOnlyAuthentication\":");
	put(o, rng_below(&c->r, 100) < 65 ? "true" : "false");
	put(o, "}}}");
}

/* ---- web apps ---------------------------------------------------------------- */

static void gen_web(struct out *o, struct ctx *c)
{
	static const struct wopt https[] = {{"true", 88}, {"false", 12}, {0, 0}};
	static const struct wopt ftps[] = {
		{"\"FtpsOnly\"", 50}, {"\"Disabled\"", 40}, {"\"AllAllowed\"", 7},
		{"\"allallowed\"", 3}, {0, 0}};
	static const struct wopt tls[] = {
		{"\"1.2\"", 80}, {"\"1.3\"", 8}, {"\"1.0\"", 7}, {"\"1.1\"", 5}, {0, 0}};
	static const char *const kinds[] = {"\"app\"", "\"app,linux\"", "\"functionapp\"",
					    "\"app,linux,container\""};
	static const char *const stacks[] = {"\"\"", "\"DOTNETCORE|8.0\"", "\"NODE|20-lts\"",
					     "\"PYTHON|3.11\"", "\"JAVA|17-java17\""};

	put_head(o, c, T_WEB, pickl(&c->r, kinds, 4),
		 "null");
	put(o, ",\"properties\":{\"name\":");
	put_jstr(o, c->name);
	put(o, ",\"state\":\"Running\",\"hostNames\":[\"");
	put(o, c->name);
	put(o, ".azurewebsites.net\"],\"enabled\":true,\"httpsOnly\":");
	put(o, pickw(&c->r, https));
	put(o, ",\"clientCertEnabled\":");
	put(o, rng_below(&c->r, 100) < 20 ? "true" : "false");
	put(o, ",\"serverFarmId\":\"/subscriptions/");
	put(o, c->sub);
	put(o, "/resourceGroups/");
	put(o, c->rg);
	put(o, "/providers/Microsoft.Web/serverfarms/asp-");
	put(o, c->app);
	put(o, "\",\"reserved\":false,\"siteConfig\":{\"numberOfWorkers\":");
	put_u64(o, 1 + rng_below(&c->r, 4));
	put(o, ",\"linuxFxVersion\":");
	put(o, pickl(&c->r, stacks, 5));
	put(o, ",\"alwaysOn\":");
	put(o, rng_below(&c->r, 100) < 60 ? "true" : "false");
	put(o, ",\"http20Enabled\":true,\"minTlsVersion\":");
	put(o, pickw(&c->r, tls));
	put(o, ",\"scmMinTlsVersion\":\"1.2\",\"ftpsState\":");
	put(o, pickw(&c->r, ftps));
	put(o, ",\"ipSecurityRestrictions\":[{\"ipAddress\":\"Any\",\"action\":\"Allow\","
	       "\"priority\":2147483647,\"name\":\"Allow all\"}]},"
	       "\"defaultHostName\":\"");
	put(o, c->name);
	put(o, ".azurewebsites.net\",\"outboundIpAddresses\":\"20.105.");
	put_u64(o, rng_below(&c->r, 256));
	put(o, ".1,20.105.");
	put_u64(o, rng_below(&c->r, 256));
	put(o, ".2\",\"lastModifiedTimeUtc\":");
	put_time(o, &c->r);
	put(o, "}}");
}

/* ---- driver ------------------------------------------------------------------ */

static void gen_one(struct out *o, uint64_t seed, uint64_t idx, const char subs[][37])
{
	struct ctx c;
	c.r.s = seed ^ (idx * 0xd1b54a32d192ed03ULL);
	rng_next(&c.r);
	c.idx = idx;
	memcpy(c.sub, subs[rng_below(&c.r, 8)], 37);
	c.app = pickl(&c.r, apps, 12);
	c.env = pickl(&c.r, envs, 5);
	unsigned x = rng_below(&c.r, 100);
	enum rtype t = x < 20 ? T_STORAGE : x < 31 ? T_NSG : x < 48 ? T_VM
		     : x < 63 ? T_KV : x < 80 ? T_SQL : T_WEB;
	int n = snprintf(c.rg, sizeof c.rg, "rg-%s-%s", c.app, c.env);
	if (n < 0 || (size_t)n >= sizeof c.rg)
		c.rg[0] = '\0';
	n = snprintf(c.name, sizeof c.name, types[t].hyphen ? "%s-%s-%s-%" PRIu64 : "%s%s%s%" PRIu64,
		     types[t].prefix, c.app, c.env, idx);
	if (n < 0 || (size_t)n >= sizeof c.name)
		c.name[0] = '\0';
	switch (t) {
	case T_STORAGE: gen_storage(o, &c); break;
	case T_NSG: gen_nsg(o, &c); break;
	case T_VM: gen_vm(o, &c); break;
	case T_KV: gen_kv(o, &c); break;
	case T_SQL: gen_sql(o, &c); break;
	case T_WEB: gen_web(o, &c); break;
	}
}

static int usage(void)
{
	fputs("usage: gen -n COUNT [-s SEED] [-f lines|array|wrapped] [-o FILE]\n", stderr);
	return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t count = 0, seed = 42;
	int have_n = 0;
	const char *fmt = "lines", *path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(a, "-n")) {
			if (parse_u64(argv[++i], &count))
				return usage();
			have_n = 1;
		} else if (!strcmp(a, "-s")) {
			if (parse_u64(argv[++i], &seed))
				return usage();
		} else if (!strcmp(a, "-f")) {
			fmt = argv[++i];
		} else if (!strcmp(a, "-o")) {
			path = argv[++i];
		} else {
			return usage();
		}
	}
	int shape = !strcmp(fmt, "lines") ? 0 : !strcmp(fmt, "array") ? 1
		  : !strcmp(fmt, "wrapped") ? 2 : -1;
	if (!have_n || shape < 0)
		return usage();

	static struct out o;
	o.f = path ? fopen(path, "wb") : stdout;
	if (!o.f) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* Eight subscriptions per seed, shared by all resources. */
	char subs[8][37];
	struct rng sr = {seed ^ 0x5eb5c21b7105eedULL};
	for (int i = 0; i < 8; i++) {
		o.len = 0;
		put_guid(&o, &sr);
		memcpy(subs[i], o.buf, 36);
		subs[i][36] = '\0';
	}
	o.len = 0;

	if (shape == 1) {
		put(&o, "[\n");
	} else if (shape == 2) {
		put(&o, "{\"totalRecords\":");
		put_u64(&o, count);
		put(&o, ",\"count\":");
		put_u64(&o, count);
		put(&o, ",\"data\":[\n");
	}
	for (uint64_t i = 0; i < count; i++) {
		if (shape && i)
			put(&o, ",\n");
		gen_one(&o, seed, i, (const char(*)[37])subs);
		if (!shape)
			putch(&o, '\n');
	}
	if (shape == 1)
		put(&o, count ? "\n]\n" : "]\n");
	else if (shape == 2)
		put(&o, count ? "\n],\"facets\":[],\"resultTruncated\":\"false\"}\n"
			      : "],\"facets\":[],\"resultTruncated\":\"false\"}\n");
	out_flush(&o);
	if (fflush(o.f) || o.failed || (path && fclose(o.f))) {
		fprintf(stderr, "gen: write error\n");
		return 1;
	}
	return 0;
}

# bench/rules.jq - the 10 controls of bench/baseline-10.yaml in jq, for the
# bench's equality check and as the jq peer it is timed against.
#   jq -r -f bench/rules.jq SNAPSHOT     (JSON lines, one array, or {"data": [...]})
# Prints "asset_id<TAB>control_id" for every failing (asset, control) pair.
#
# Semantics mirrored from FORMATS.md §2, as far as the generated inputs need:
# comparisons are case-insensitive and compare as strings (true equals "True");
# a missing field is absent (equals false, notEquals true, in false, exists
# false); a [*] leaf holds for every element and vacuously for a missing or
# empty array; numeric text compares numerically with a number operand;
# resource types match case-insensitively.

# jq 1.6 defines ascii_downcase in jq itself (explode/map/implode), ~20 us a
# call, which would dominate the run; so every comparison first tries the
# exact canonical spelling and the length before folding case.  Same answers,
# a fairer peer.
#
# eqs($canon): case-insensitive string equality with $canon (a string);
# booleans and numbers compare through their text.
def eqs($canon):
  if . == $canon then true
  elif type == "string" then
    (length == ($canon | length)) and (ascii_downcase == ($canon | ascii_downcase))
  elif type == "boolean" or type == "number" then
    tostring == ($canon | ascii_downcase)
  else false end;
# eqb($b): equals true/false, which compares as strings: "True" equals true.
def eqb($b):
  if type == "boolean" then . == $b
  elif type == "string" then
    (length == ($b | tostring | length)) and (ascii_downcase == ($b | tostring))
  else false end;
def isin($vs): . as $x | any($vs[]; . as $c | $x | eqs($c));
def tonum: if type == "number" then . elif type == "string" then tonumber else null end;
def kinds: {"microsoft.storage/storageaccounts": "st",
            "microsoft.network/networksecuritygroups": "nsg",
            "microsoft.compute/virtualmachines": "vm",
            "microsoft.keyvault/vaults": "kv",
            "microsoft.sql/servers": "sql",
            "microsoft.web/sites": "web"};
def canon_kinds: {"Microsoft.Storage/storageAccounts": "st",
                  "Microsoft.Network/networkSecurityGroups": "nsg",
                  "Microsoft.Compute/virtualMachines": "vm",
                  "Microsoft.KeyVault/vaults": "kv",
                  "Microsoft.Sql/servers": "sql",
                  "Microsoft.Web/sites": "web"};
# The short kind of a resource type, matched case-insensitively.
def kind: (kinds[.] // canon_kinds[.]) // (kinds[ascii_downcase] // "other");

def fails:
  (.type | kind) as $t
  | ( if $t == "st" then
        (if .properties.supportsHttpsTrafficOnly | eqb(true) then empty else "BENCH-01" end),
        (if .properties.minimumTlsVersion | isin(["TLS1_2", "TLS1_3"]) then empty else "BENCH-02" end),
        (if (.properties.networkAcls.defaultAction | eqs("Deny"))
            or (.properties.publicNetworkAccess | eqs("Disabled"))
         then empty else "BENCH-03" end)
      elif $t == "nsg" then
        (if ([.properties.securityRules[]?.properties
              | select((.access | eqs("Allow"))
                       and (.direction | eqs("Inbound"))
                       and (.sourceAddressPrefix | isin(["*", "Internet", "0.0.0.0/0"]))
                       and (.destinationPortRange | isin(["22", "3389", "*"])))]
             | length) < 1
         then empty else "BENCH-04" end)
      elif $t == "vm" then
        (if all(.properties.storageProfile.dataDisks[]?;
                .managedDisk.storageAccountType | eqs("Standard_LRS") | not)
         then empty else "BENCH-05" end),
        (if (.properties.storageProfile.osDisk.osType | eqs("Linux"))
            and (.properties.osProfile.linuxConfiguration.disablePasswordAuthentication | eqb(true) | not)
         then "BENCH-06" else empty end)
      elif $t == "kv" then
        (if (.properties.enableSoftDelete | eqb(false) | not)
            and (.properties | has("enablePurgeProtection"))
            and (.properties.enablePurgeProtection | eqb(true))
         then empty else "BENCH-07" end)
      elif $t == "sql" then
        (if ((.properties.minimalTlsVersion | tonum) >= 1.2)
            and (.properties.publicNetworkAccess | eqs("Enabled") | not)
         then empty else "BENCH-08" end)
      elif $t == "web" then
        (if (.properties.httpsOnly | eqb(false))
            or (.properties.siteConfig.ftpsState | eqs("AllAllowed"))
            or ((.properties.siteConfig.minTlsVersion | tonum) < 1.2)
         then "BENCH-09" else empty end)
      else empty end ),
    (if (.tags | type == "object" and has("owner"))
        and (.tags.costCenter | type == "string" and length >= 3
             and (.[0:3] | . == "CC-" or ascii_downcase == "cc-"))
     then empty else "BENCH-10" end);

( if type == "array" then .[]
  elif type == "object" and (.data | type == "array") then .data[]
  else . end )
| .id as $id
| fails
| "\($id)\t\(.)"

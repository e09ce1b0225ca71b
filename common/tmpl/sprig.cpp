// The Sprig function map as the oracle installs it (sprig.TxtFuncMap), minus env/expandenv/
// now/ago. Functions drover does not implement are still registered, so templates that
// merely mention them parse as in Go, and fail only if called.
#include "common/tmpl/func.hpp"

namespace drover::tmpl {

void add_sprig_regex(FuncMap& m);
void add_sprig_semver(FuncMap& m);

namespace {

const char* const kUnsupported[] = {
    "hello",
    "date",
    "date_in_zone",
    "date_modify",
    "dateInZone",
    "dateModify",
    "duration",
    "durationRound",
    "htmlDate",
    "htmlDateInZone",
    "must_date_modify",
    "mustDateModify",
    "mustToDate",
    "toDate",
    "unixEpoch",
    "abbrev",
    "abbrevboth",
    "initials",
    "randAlphaNum",
    "randAlpha",
    "randAscii",
    "randNumeric",
    "swapcase",
    "shuffle",
    "snakecase",
    "camelcase",
    "kebabcase",
    "wrap",
    "wrapWith",
    "sha1sum",
    "adler32sum",
    "randInt",
    "add1f",
    "addf",
    "subf",
    "divf",
    "mulf",
    "mustFromJson",
    "deepCopy",
    "mustDeepCopy",
    "getHostByName",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "b32enc",
    "b32dec",
    "dig",
    "chunk",
    "mustChunk",
    "bcrypt",
    "htpasswd",
    "genPrivateKey",
    "derivePassword",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
    "randBytes",
    "urlParse",
    "urlJoin",
};

FuncMap make_sprig() {
    FuncMap m;
    add_sprig_strings(m);
    add_sprig_lists(m);
    add_sprig_dicts(m);
    add_sprig_math(m);
    add_sprig_encoding(m);
    add_sprig_regex(m);
    add_sprig_semver(m);
    for (const char* name : kUnsupported) {
        if (m.count(name)) continue;
        std::string n = name;
        m[n] = Function{{{Arg::Any}, true}, [n](const Value&, std::vector<Value>&) -> Value {
                            throw CallError{n + " is not supported by drover"};
                        }};
    }
    return m;
}

}  // namespace

const FuncMap& sprig_funcs() {
    static const FuncMap m = make_sprig();
    return m;
}

}  // namespace drover::tmpl

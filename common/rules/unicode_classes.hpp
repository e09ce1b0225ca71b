// Unicode letter (\pL) and number (\pN) classes, as Go's regexp uses them in DRP's name rules.
// The tables are generated data (unicode_classes.py); lookups are a binary search.
#pragma once

namespace drover::rules {

bool is_unicode_letter(char32_t cp);
bool is_unicode_number(char32_t cp);

}  // namespace drover::rules

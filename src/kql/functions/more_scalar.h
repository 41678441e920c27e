#pragma once

#include <map>
#include <string>

#include "kql/functions/scalar.h"

namespace calypso::kql::functions {

// Window functions over a serialized row set: row_number, prev, next (functions/window.cc).
// Their kernels see the whole row set as one batch; the binder guarantees it.
void AddWindowFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);
bool IsWindowFunction(std::string_view name);

// datetime_diff, datetime_add, datetime_part, format_datetime, format_timespan,
// startof*/endof* (functions/datetime.cc).
void AddDatetimeFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// pack_array, bag_pack/pack, bag_keys, extract_all, strcat_array, trim, reverse, countof,
// hash, toguid, url_decode (functions/more_strings.cc).
void AddMoreStringFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// replace_regex, strcat_delim, translate, strrep, base64_*, url_encode*, extract_json,
// tohex, todecimal, gettype, hash (functions/text_functions.cc).
void AddTextFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// ceiling, sign, trigonometry, isnan/isinf/isfinite, max_of/min_of, make_datetime,
// make_timespan, unixtime_*_todatetime (functions/math_functions.cc).
void AddMathFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// bag_merge, array_concat, array_slice, set_*, zip, series_* basics
// (functions/dynamic_functions.cc).
void AddDynamicFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// strcmp, regex_quote, indexof_regex, array_sort_*, array_index_of, set_has_element,
// bag_remove_keys, hash_sha256, hash_md5, rand, series_stats (functions/misc_functions.cc).
void AddMiscFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// array_reverse, array_rotate_*, array_shift_*, bag_set_key, bag_has_key, string_size,
// replace_strings (functions/array_bag_functions.cc).
void AddArrayBagFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// base64_encode_fromguid / decode_toguid / decode_toarray / encode_fromarray,
// zlib_* and gzip_* to and from base64 (functions/encoding_functions.cc).
void AddEncodingFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// series_fir, series_iir (functions/series_filters.cc).
void AddSeriesFilters(std::map<std::string, ScalarFunction, std::less<>>& registry);

// range(), repeat(), array_sum, array_iff, array_split, set_equals, jaccard_index
// (functions/array_more_functions.cc).
void AddArrayMoreFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// binary_*, bitset_count_ones, bin_at, isascii, isutf8, new_guid (functions/bit_functions.cc).
void AddBitFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// parse_ipv4, parse_ipv4_mask, format_ipv4, format_ipv4_mask, ipv4_compare, ipv4_is_match,
// ipv4_is_in_range, ipv4_is_private, ipv4_netmask_suffix (functions/ipv4_functions.cc).
void AddIpv4Functions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// parse_url, parse_urlquery, parse_csv, has_any_index, bag_zip, unicode_codepoints_*
// (functions/url_text_functions.cc).
void AddUrlTextFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// series_fit_line (as one bag inside an expression), series_fit_line_dynamic
// (functions/series_fit.cc).
void AddSeriesFit(std::map<std::string, ScalarFunction, std::less<>>& registry);

// format_bytes (functions/format_bytes.cc).
void AddFormatBytes(std::map<std::string, ScalarFunction, std::less<>>& registry);

// dcount_hll, percentile_tdigest (functions/digests.cc).
void AddDigestFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

// datetime_utc_to_local, datetime_local_to_utc (functions/timezone_functions.cc).
void AddTimezoneFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

}  // namespace calypso::kql::functions

# Writes the C++ table of the dashboard's assets: every file under DIST (sorted by path) with its
# bytes, Content-Type (from the extension) and a strong ETag (from its SHA-256). An empty DIST
# (-DDROVER_UI=OFF) gives an empty table. An extension without a known type fails the build, so
# nothing is ever served with a guessed type. Run with cmake -DDIST=<dir> -DOUT=<file.cpp> -P.
function(content_type_of path out)
  get_filename_component(ext "${path}" LAST_EXT)
  string(TOLOWER "${ext}" ext)
  set(types_.html "text/html; charset=utf-8")
  set(types_.js "text/javascript; charset=utf-8")
  set(types_.css "text/css; charset=utf-8")
  set(types_.svg "image/svg+xml")
  set(types_.png "image/png")
  set(types_.ico "image/x-icon")
  set(types_.json "application/json")
  if(NOT DEFINED "types_${ext}")
    message(FATAL_ERROR "embed_assets: no Content-Type for '${path}'; add its extension to "
                        "server/ui/embed_assets.cmake")
  endif()
  set(${out} "${types_${ext}}" PARENT_SCOPE)
endfunction()

set(files)
if(DIST)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${DIST}" "${DIST}/*")
  list(SORT files)
endif()

string(CONCAT body "// Generated from the dashboard's dist dir by server/ui/embed_assets.cmake; "
                   "do not edit.\n")
string(APPEND body "#include \"server/ui/ui_assets.hpp\"\n\nnamespace drover::ui {\n")
set(rows "")
set(index 0)
foreach(f IN LISTS files)
  content_type_of("${f}" type)
  file(SHA256 "${DIST}/${f}" sha)
  string(SUBSTRING "${sha}" 0 32 etag)
  file(READ "${DIST}/${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  if(index EQUAL 0)
    string(APPEND body "namespace {\n")
  endif()
  string(APPEND body "constexpr char kBytes${index}[] = \"${escaped}\";\n")
  string(APPEND rows "        {\"${f}\", \"${type}\", R\"(\"${etag}\")\", "
                     "{kBytes${index}, sizeof(kBytes${index}) - 1}},\n")
  math(EXPR index "${index} + 1")
endforeach()
if(index GREATER 0)
  string(APPEND body "}  // namespace\n\n")
  string(APPEND body "std::span<const Asset> embedded_assets() {\n"
                     "    static constexpr Asset kAssets[] = {\n${rows}    };\n"
                     "    return kAssets;\n}\n")
else()
  string(APPEND body "std::span<const Asset> embedded_assets() {\n    return {};\n}\n")
endif()
string(APPEND body "}  // namespace drover::ui\n")
# Written even when unchanged: it only runs when dist changed, and an output older than its inputs
# would have make run this again on every build.
file(WRITE "${OUT}" "${body}")

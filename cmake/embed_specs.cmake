# Writes OUT, a C++ file holding every spec in SPECS ('|'-separated) as a string, keyed by
# file name.
string(REPLACE "|" ";" SPECS "${SPECS}")
set(body "// Generated from provider_spec/ by cmake/embed_specs.cmake. Do not edit.\n")
string(APPEND body "#include \"spec/bundled_specs.hpp\"\n\nnamespace stacklite {\n\n")
string(APPEND body "const std::vector<BundledSpec>& bundled_specs() {\n  static const std::vector<BundledSpec> specs = {\n")
foreach(spec ${SPECS})
  file(READ ${spec} text)
  get_filename_component(name ${spec} NAME)
  string(APPEND body "    {\"${name}\", R\"stacklite_spec(${text})stacklite_spec\"},\n")
endforeach()
string(APPEND body "  };\n  return specs;\n}\n\n}  // namespace stacklite\n")
file(WRITE ${OUT} "${body}")

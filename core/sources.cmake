# core/sources.cmake: which core/ file belongs to which library, decided here, explicitly, not
# by its name. Included by core/CMakeLists.txt and, when runtime/ is configured standalone on a
# GPU host, by runtime/CMakeLists.txt, so that both build parsim_core_min from the same files.
#   in:  PARSIM_CORE_DIR        the core/ folder
#   out: CORE_READER_SOURCES    need libcsv / cJSON, or call the readers: parsim_core only;
#        CORE_MIN_SOURCES       every other .c of util/, workload/, trace/, cost/, io/ -> libc
#                               only (parsim_core_min, linked by the CUDA runtime on hosts without
#                               libcsv / cJSON / SimGrid).
# A new file is libc only unless listed below; the check after the lists refuses a libc-only file
# that includes <csv.h> or <cjson/...>, naming it.
set(CORE_READER_SOURCES
    ${PARSIM_CORE_DIR}/io/hf_config.c          # cJSON: HF config.json
    ${PARSIM_CORE_DIR}/io/json_read.c          # cJSON: checks every JSON reader shares
    ${PARSIM_CORE_DIR}/trace/trace_meta_read.c # cJSON: meta.json
    ${PARSIM_CORE_DIR}/trace/trace_read.c      # libcsv: the strict CSV readers
    ${PARSIM_CORE_DIR}/trace/trace_check.c     # reads a whole trace directory
    ${PARSIM_CORE_DIR}/cost/cost_trace.c)      # the cost model's trace reader
file(GLOB CORE_MIN_SOURCES CONFIGURE_DEPENDS
     ${PARSIM_CORE_DIR}/util/*.c
     ${PARSIM_CORE_DIR}/workload/*.c
     ${PARSIM_CORE_DIR}/trace/*.c
     ${PARSIM_CORE_DIR}/cost/*.c
     ${PARSIM_CORE_DIR}/io/*.c)
list(REMOVE_ITEM CORE_MIN_SOURCES ${CORE_READER_SOURCES})
foreach(src ${CORE_MIN_SOURCES})
  file(STRINGS ${src} reader_includes REGEX "^[ \t]*#[ \t]*include[ \t]*<(csv\.h|cjson/)")
  if(reader_includes)
    file(RELATIVE_PATH rel ${PARSIM_CORE_DIR}/.. ${src})
    message(FATAL_ERROR "${rel} includes a reader library (${reader_includes}) but is not in "
                        "CORE_READER_SOURCES (core/sources.cmake): list it there, or keep it libc only")
  endif()
endforeach()

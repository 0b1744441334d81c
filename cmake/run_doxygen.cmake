# cmake -DDOXYGEN=<exe or empty> -DDOXYFILE=<configured Doxyfile> -DMODE=render|check [-DCHECK_DIR=<dir>]
#       -P run_doxygen.cmake
# render: runs Doxygen on DOXYFILE (warnings on stderr, HTML in the Doxyfile's OUTPUT_DIRECTORY).
# check:  runs it into CHECK_DIR with WARN_LOGFILE set and fails, listing every warning, unless the log is empty.

if(NOT DOXYGEN)
  message(FATAL_ERROR "doxygen was not found when CMake configured this build, so the API reference cannot be "
    "rendered or checked. Install it with `bash scripts/install-deps.sh` (Debian package doxygen), then "
    "re-run cmake (or `make configure`).")
endif()

if(MODE STREQUAL "render")
  execute_process(COMMAND ${DOXYGEN} ${DOXYFILE} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "doxygen ${DOXYFILE} failed (exit status ${rc})")
  endif()
  return()
endif()

if(NOT MODE STREQUAL "check")
  message(FATAL_ERROR "run_doxygen.cmake: MODE must be render or check, got '${MODE}'")
endif()

# A Doxyfile that takes everything from the configured one and sends output and warnings elsewhere.
file(REMOVE_RECURSE ${CHECK_DIR})
file(MAKE_DIRECTORY ${CHECK_DIR})
set(log ${CHECK_DIR}/warnings.log)
file(WRITE ${CHECK_DIR}/Doxyfile "@INCLUDE = ${DOXYFILE}\nOUTPUT_DIRECTORY = ${CHECK_DIR}\nWARN_LOGFILE = ${log}\n")
execute_process(COMMAND ${DOXYGEN} ${CHECK_DIR}/Doxyfile RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "doxygen failed (exit status ${rc}):\n${out}${err}")
endif()
if(NOT EXISTS ${log})
  message(FATAL_ERROR "doxygen wrote no warning log ${log}")
endif()
file(READ ${log} warnings)
string(STRIP "${warnings}" warnings)
if(NOT warnings STREQUAL "")
  string(REGEX MATCHALL "\n" lines "\n${warnings}")
  list(LENGTH lines n)
  message(FATAL_ERROR "The API reference has Doxygen warnings (about ${n} lines, also in ${log}). Every public "
    "symbol in include/mixdist needs a /// comment (docs/Doxyfile.in):\n${warnings}")
endif()
message(STATUS "API reference: no Doxygen warnings")

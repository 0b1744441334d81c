# The API reference: Doxygen renders the public headers' /// comments (and README.md as the main page) into
# <build>/docs/html (`make docs`, or `cmake --build build --target docs`). The CTest test
# docs.api_reference_is_warning_free fails on any Doxygen warning, an undocumented public symbol among them.
# Without doxygen both exist and fail, saying how to install it: never a silent skip.

find_package(Doxygen)
set(MIXDIST_DOXYGEN "")
if(DOXYGEN_FOUND)
  set(MIXDIST_DOXYGEN ${DOXYGEN_EXECUTABLE})
endif()

set(MIXDIST_DOCS_OUTPUT_DIR ${PROJECT_BINARY_DIR}/docs)
configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${MIXDIST_DOCS_OUTPUT_DIR}/Doxyfile @ONLY)
set(MIXDIST_DOXYGEN_SCRIPT_ARGS
  -DDOXYGEN=${MIXDIST_DOXYGEN}
  -DDOXYFILE=${MIXDIST_DOCS_OUTPUT_DIR}/Doxyfile
  -DSOURCE_DIR=${PROJECT_SOURCE_DIR})

add_custom_target(docs
  COMMAND ${CMAKE_COMMAND} ${MIXDIST_DOXYGEN_SCRIPT_ARGS} -DMODE=render -P ${PROJECT_SOURCE_DIR}/cmake/run_doxygen.cmake
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  COMMENT "Rendering the API reference into ${MIXDIST_DOCS_OUTPUT_DIR}/html"
  VERBATIM)

if(MIXDIST_BUILD_TESTS)
  # Renders into its own folder, so that it never races a `make docs` writing build/docs/html.
  add_test(NAME docs.api_reference_is_warning_free
    COMMAND ${CMAKE_COMMAND} ${MIXDIST_DOXYGEN_SCRIPT_ARGS} -DMODE=check
      -DCHECK_DIR=${PROJECT_BINARY_DIR}/docs-check -P ${PROJECT_SOURCE_DIR}/cmake/run_doxygen.cmake
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(docs.api_reference_is_warning_free PROPERTIES TIMEOUT 300 LABELS slow)
endif()

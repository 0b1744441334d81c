# CTest python.install: `cmake --install --component python` into a scratch prefix, then Debian's python3 imports
# the installed package (PYTHONPATH=<prefix>/<package dir>, run from an empty folder so that nothing else named
# mixdist is found) and uses an op from its installed library.
# Arguments: BUILD_DIR, PREFIX (removed first), PACKAGE_DIR (relative to PREFIX), PYTHON.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} --component python
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install --component python failed (${rc}):\n${out}")
endif()
set(site ${PREFIX}/${PACKAGE_DIR})
foreach(file __init__.py _ops.py _build_info.py libmixdist_torch_ops.so)
  if(NOT EXISTS ${site}/mixdist/${file})
    message(FATAL_ERROR "cmake --install did not install ${site}/mixdist/${file}:\n${out}")
  endif()
endforeach()
file(MAKE_DIRECTORY ${PREFIX}/cwd)
set(code "import torch, mixdist
assert mixdist.__file__.startswith('${site}/mixdist/'), mixdist.__file__
assert mixdist.library_path == '${site}/mixdist/libmixdist_torch_ops.so', mixdist.library_path
p = mixdist.sparsemax(torch.tensor([[0.0, 1.0, 3.0]]))
assert p.tolist() == [[0.0, 0.0, 1.0]], p
print('installed mixdist', mixdist.__version__, 'imports from', mixdist.__file__)")
execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${site} PYTHONDONTWRITEBYTECODE=1 ${PYTHON} -c "${code}"
  WORKING_DIRECTORY ${PREFIX}/cwd RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed package does not import (PYTHONPATH=${site}):\n${out}")
endif()

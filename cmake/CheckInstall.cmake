# The install test (ctest install_and_embed): installs the build into a fresh prefix, then uses
# it as a project outside the tree would: examples/embed built with find_package(mnemo) and run,
# pkg-config, `mnemo --version`, and the Python module imported from the prefix.
# Run with: cmake -DBUILD_DIR=.. -DSOURCE_DIR=.. -DWORK_DIR=.. -DVERSION=.. [-DPYTHON=python3
#           -DPYTHON_MODULE=1] -P CheckInstall.cmake
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

function(expect text pattern what)
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: expected to match '${pattern}', got:\n${text}")
  endif()
endfunction()

run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(file bin/mnemo include/mnemo/mnemo.h include/mnemo/version.h lib/cmake/mnemo/mnemoConfig.cmake
             lib/pkgconfig/mnemo.pc share/mnemo/examples/notebook_rnn.mnemo share/mnemo/examples/embed/main.cpp)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()
# The public headers stand alone: none includes an internal header of mnemo or oneDNN.
file(GLOB headers ${prefix}/include/mnemo/*.h)
foreach(h ${headers})
  file(STRINGS ${h} includes REGEX "#include")
  foreach(line ${includes})
    if(line MATCHES "#include \"" AND NOT line MATCHES "#include \"mnemo/")
      message(FATAL_ERROR "installed header ${h} includes a header that is not installed: ${line}")
    endif()
  endforeach()
endforeach()

run("mnemo --version" ${prefix}/bin/mnemo --version)
expect("${output}" "^mnemo ${VERSION}\n$" "mnemo --version")

# The consumer, configured and built against the prefix alone.
run("configure examples/embed" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/embed -B ${WORK_DIR}/embed
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix})
run("build examples/embed" ${CMAKE_COMMAND} --build ${WORK_DIR}/embed)
run("run examples/embed" ${CMAKE_COMMAND} -E env OMP_NUM_THREADS=1 ${WORK_DIR}/embed/embed)
expect("${output}" "Step 100, Loss [0-9.]+, Acc [0-9.]+\n" "examples/embed's training printout")
expect("${output}" "mnemo ${VERSION}: loss [0-9.e-]+ after step 100; [0-9]+ time points in 20 trials" "examples/embed's summary")
message(STATUS "examples/embed against the installed package:\n${output}")

find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  run("pkg-config" ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/lib/pkgconfig ${PKG_CONFIG} --modversion mnemo)
  expect("${output}" "^${VERSION}\n$" "pkg-config --modversion mnemo")
  run("pkg-config" ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/lib/pkgconfig ${PKG_CONFIG} --cflags --libs mnemo)
  expect("${output}" "^-I[^ ]*/include -std=c\\+\\+17 -L[^ ]*/lib .*-lmnemo" "pkg-config --cflags --libs mnemo")
  run("pkg-config build" ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/lib/pkgconfig
      sh -c "c++ ${SOURCE_DIR}/examples/embed/main.cpp $(pkg-config --cflags --libs mnemo) -o ${WORK_DIR}/embed-pc")
  if(NOT EXISTS ${WORK_DIR}/embed-pc)
    message(FATAL_ERROR "building examples/embed with pkg-config gave no program")
  endif()
endif()

if(PYTHON_MODULE)
  run("the installed Python module" ${CMAKE_COMMAND} -E env PYTHONPATH=${prefix}/lib/python3/dist-packages OMP_NUM_THREADS=1
      ${PYTHON} -c "import mnemo\nprint(mnemo.__version__, mnemo.__file__)\nprint(mnemo.train(steps=200, verbose=False).accuracy[-1])")
  expect("${output}" "^${VERSION} ${prefix}/lib/python3/dist-packages/mnemo/__init__.py\n[0-9.]+\n$" "import mnemo from the prefix")
endif()

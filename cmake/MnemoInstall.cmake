# What `cmake --install build --prefix P` puts under P, and the packages other projects use:
#   bin/mnemo                                 the command-line program
#   lib/libmnemo.so*                          the public API (include/mnemo/) with every internal
#                                             library below linked in
#   include/mnemo/*.h                         the public headers (no oneDNN or IR header among them)
#   lib/cmake/mnemo/                          find_package(mnemo CONFIG REQUIRED) -> mnemo::mnemo
#   lib/pkgconfig/mnemo.pc                    pkg-config --cflags --libs mnemo
#   lib/python3/dist-packages/mnemo/          the Python module (PYTHONPATH=P/lib/python3/dist-packages)
#   share/mnemo/examples, share/doc/mnemo     the example models, examples/embed, the notebook, docs
# Included last from the top CMakeLists.txt, when every target exists.

# The internal static libraries libmnemo is made of (linked privately into it, compiled as
# position-independent code for that). The only place that names them for packaging.
set(MNEMO_LIBRARIES mnemo_analysis mnemo_training mnemo_frontend mnemo_runtime mnemo_passes mnemo_target mnemo_reference mnemo_ops mnemo_graph mnemo_tasks mnemo_io mnemo_support)

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(${MNEMO_LIBRARIES} PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_link_libraries(mnemo_api PRIVATE ${MNEMO_LIBRARIES})

if(MNEMO_SANITIZE)
  # A program linking the instrumented libmnemo needs the sanitizer runtimes as well.
  target_link_options(mnemo_api INTERFACE -fsanitize=address,undefined)
  set(MNEMO_PC_EXTRA_LIBS " -fsanitize=address,undefined")
endif()

set(MNEMO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mnemo)
install(TARGETS mnemo RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS mnemo_api EXPORT mnemoTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mnemo DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/generated/mnemo/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mnemo)

install(EXPORT mnemoTargets NAMESPACE mnemo:: DESTINATION ${MNEMO_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/mnemoConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/mnemoConfig.cmake INSTALL_DESTINATION ${MNEMO_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mnemoConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mnemoConfig.cmake ${PROJECT_BINARY_DIR}/mnemoConfigVersion.cmake
        DESTINATION ${MNEMO_CMAKE_DIR})

file(RELATIVE_PATH MNEMO_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/mnemo.pc.in ${PROJECT_BINARY_DIR}/mnemo.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mnemo.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/mnemo/examples)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The install test: install into a temporary prefix, build examples/embed against the installed
# package with find_package and run it, check pkg-config, `mnemo --version` and the installed
# Python module (cmake/CheckInstall.cmake).
if(MNEMO_BUILD_TESTS)
  add_test(NAME install_and_embed
           COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${PROJECT_BINARY_DIR}/install-test -DVERSION=${PROJECT_VERSION}
                   -DPYTHON=${MNEMO_PYTHON3} -DPYTHON_MODULE=$<TARGET_EXISTS:mnemo_python>
                   -P ${CMAKE_CURRENT_LIST_DIR}/CheckInstall.cmake)
  set_tests_properties(install_and_embed PROPERTIES TIMEOUT 600)
endif()

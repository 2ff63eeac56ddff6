# mnemo's layers: one static library per folder, and the only place that says which folder may
# use which. Each folder's CMakeLists.txt calls mnemo_layer_library(<name>); that library links
# exactly the layers listed here, and the check_layers build step (scripts/check_layers.sh)
# fails the build when a file includes a header from a folder its layer does not list.
# docs/ARCHITECTURE.md draws this table.
#
#   mnemo_layer(<name> DIR <folder> [DEPENDS <layer>...] [DATA <file>...] [ONEDNN])
# DATA names single files of another folder a layer may include as plain data (the op list).
# ONEDNN: the layer may include oneDNN's headers, in its .cpp files and private sub-folders but
# not in its public headers (<folder>/*.h). No other layer may include them.

function(mnemo_layer name)
  cmake_parse_arguments(L "ONEDNN" "DIR" "DEPENDS;DATA" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY MNEMO_LAYER_NAMES ${name})
  set_property(GLOBAL PROPERTY MNEMO_LAYER_${name}_DIR ${L_DIR})
  set_property(GLOBAL PROPERTY MNEMO_LAYER_${name}_DEPENDS ${L_DEPENDS})
  set_property(GLOBAL PROPERTY MNEMO_LAYER_${name}_DATA ${L_DATA})
  set_property(GLOBAL PROPERTY MNEMO_LAYER_${name}_ONEDNN ${L_ONEDNN})
endfunction()

#          layer      folder              may use
mnemo_layer(support   DIR support)
# The installed public API headers, included as "mnemo/<x>.h": standard headers only.
mnemo_layer(public    DIR include/mnemo)
mnemo_layer(graph     DIR graph             DEPENDS support  DATA ops/ops.def)
mnemo_layer(ops       DIR ops               DEPENDS graph support)
mnemo_layer(target    DIR runtime/target    DEPENDS ops graph support)
mnemo_layer(passes    DIR graph/passes      DEPENDS target ops graph support)
mnemo_layer(reference DIR runtime/reference DEPENDS ops graph support)
mnemo_layer(runtime   DIR runtime           DEPENDS target ops graph support  ONEDNN)
mnemo_layer(io        DIR io                DEPENDS support)
mnemo_layer(tasks     DIR tasks             DEPENDS io support)
mnemo_layer(frontend  DIR frontend          DEPENDS passes ops graph io support)
mnemo_layer(training  DIR training          DEPENDS frontend runtime reference passes ops graph tasks io support)
mnemo_layer(analysis  DIR analysis          DEPENDS training frontend runtime reference passes ops graph tasks io support)
mnemo_layer(cli       DIR cli               DEPENDS public analysis training frontend runtime reference passes ops graph tasks io support)
# The public C++ API (libmnemo, shared; built by api/CMakeLists.txt, checked here like the rest).
mnemo_layer(api       DIR api               DEPENDS public analysis training frontend runtime reference passes ops graph tasks io support)

# Creates mnemo_<name> from every .cpp of the layer's folder (sub-folders that are layers of
# their own excluded), linking the layers it may use. Adding a file needs no edit here.
function(mnemo_layer_library name)
  get_property(dir GLOBAL PROPERTY MNEMO_LAYER_${name}_DIR)
  get_property(deps GLOBAL PROPERTY MNEMO_LAYER_${name}_DEPENDS)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${dir}/*.cpp)
  get_property(names GLOBAL PROPERTY MNEMO_LAYER_NAMES)
  foreach(other ${names})
    get_property(odir GLOBAL PROPERTY MNEMO_LAYER_${other}_DIR)
    string(FIND "${odir}" "${dir}/" at)
    if(at EQUAL 0)
      list(FILTER sources EXCLUDE REGEX "^${PROJECT_SOURCE_DIR}/${odir}/")
    endif()
  endforeach()
  foreach(extra ${ARGN})
    list(FILTER sources EXCLUDE REGEX "${extra}")
  endforeach()
  add_library(mnemo_${name} STATIC ${sources})
  target_include_directories(mnemo_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  foreach(dep ${deps})
    target_link_libraries(mnemo_${name} PUBLIC mnemo_${dep})
  endforeach()
  add_dependencies(mnemo_${name} check_layers)
endfunction()

# Writes the table for scripts/check_layers.sh: one line per layer, "<folder> <allowed folder>..."
# (its own folder first; DATA files listed as paths; "+onednn" for an ONEDNN layer).
function(mnemo_write_layer_table file)
  get_property(names GLOBAL PROPERTY MNEMO_LAYER_NAMES)
  set(text "")
  foreach(name ${names})
    get_property(dir GLOBAL PROPERTY MNEMO_LAYER_${name}_DIR)
    get_property(deps GLOBAL PROPERTY MNEMO_LAYER_${name}_DEPENDS)
    get_property(data GLOBAL PROPERTY MNEMO_LAYER_${name}_DATA)
    set(line "${dir}")
    foreach(dep ${deps})
      get_property(ddir GLOBAL PROPERTY MNEMO_LAYER_${dep}_DIR)
      string(APPEND line " ${ddir}")
    endforeach()
    foreach(d ${data})
      string(APPEND line " ${d}")
    endforeach()
    get_property(onednn GLOBAL PROPERTY MNEMO_LAYER_${name}_ONEDNN)
    if(onednn)
      string(APPEND line " +onednn")
    endif()
    string(APPEND text "${line}\n")
  endforeach()
  file(WRITE ${file} "${text}")
endfunction()

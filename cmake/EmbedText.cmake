# Compiles a text file into a library as bytes, so the binary carries it and the repository keeps
# one copy. At build time (and again whenever the file changes) a .cpp in the build directory is
# generated that defines, in namespace mnemo,
#   extern const unsigned char SYMBOL[];      // the file's bytes, then a terminating 0
#   extern const std::size_t SYMBOLSize;      // the number of bytes of the file
# The code that reads them declares the two names itself.
#
#   mnemo_embed_text(<target> <file> <symbol>)
#
# This file is also the generator: cmake -DINPUT=<file> -DOUTPUT=<cpp> -DSYMBOL=<name> -P EmbedText.cmake

if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${INPUT}" hex HEX)
  string(REPEAT "[0-9a-f]" 32 sixteenBytes)
  string(REGEX REPLACE "(${sixteenBytes})" "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  get_filename_component(name "${INPUT}" NAME)
  file(WRITE "${OUTPUT}"
       "// Generated at build time by cmake/EmbedText.cmake from ${name}: do not edit.\n"
       "#include <cstddef>\n\n"
       "namespace mnemo {\n\n"
       "extern const unsigned char ${SYMBOL}[];\n"
       "extern const std::size_t ${SYMBOL}Size;\n\n"
       "const unsigned char ${SYMBOL}[] = {\n${bytes}0x00};\n"
       "const std::size_t ${SYMBOL}Size = sizeof(${SYMBOL}) - 1;\n\n"
       "}  // namespace mnemo\n")
  return()
endif()

set(MNEMO_EMBED_TEXT_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

function(mnemo_embed_text target input symbol)
  get_filename_component(stem "${input}" NAME_WE)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/embedded/${stem}_text.cpp")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol} -P "${MNEMO_EMBED_TEXT_SCRIPT}"
    DEPENDS "${input}" "${MNEMO_EMBED_TEXT_SCRIPT}"
    COMMENT "Embedding ${input}"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
endfunction()

# The engine's layers are static libraries whose include roots hold only their own folder, so that
# `#include "session/Session.h"` compiles only in a target that links the session layer (directly,
# or through the PUBLIC link of a layer whose headers need it). docs/ARCHITECTURE.md, "Layers".
#
# A root is a directory of the build tree, layer-include/<target>/, holding one symbolic link
# named like the include prefix (e.g. `session` -> engine/session). The sources stay where they
# are; only the link decides what a target can see.

# nexus_layer_include_root(<target> <PUBLIC|PRIVATE|INTERFACE> <include-name> <path>)
# Makes <path> (a folder or one header) reachable from <target>'s users as "<include-name>/...".
# <include-name> may have several components ("attestation/tpm", "config/ConfigWriter.h").
function(nexus_layer_include_root target scope name path)
    set(root "${CMAKE_BINARY_DIR}/layer-include/${target}")
    get_filename_component(parent "${root}/${name}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(CREATE_LINK "${path}" "${root}/${name}" SYMBOLIC)
    target_include_directories(${target} ${scope} "$<BUILD_INTERFACE:${root}>")
endfunction()

# nexus_add_layer(<target> <include-name> <sources...>)
# A layer library of the current source folder, reachable as "<include-name>/<Header>.h".
# Links nexus_warnings privately and only in the build tree (the installed package has no use
# for it); other links are the caller's, PRIVATE unless the layer's own headers include them.
function(nexus_add_layer target name)
    add_library(${target} STATIC ${ARGN})
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:nexus_warnings>)
    nexus_layer_include_root(${target} PUBLIC ${name} "${CMAKE_CURRENT_SOURCE_DIR}")
endfunction()

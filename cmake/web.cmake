# The web UI (web/, TypeScript + Vite) is built into BUILD/web, where `calypso serve` finds
# it by default (BUILD/src/app/calypso -> BUILD/web). The locked packages come from
# `npm ci` in scripts/install-deps; the build never downloads.
option(CALYPSO_BUILD_WEB "Build the web UI (needs node and npm)" ON)
if(NOT CALYPSO_BUILD_WEB)
    return()
endif()

find_program(CALYPSO_NPM npm)
find_program(CALYPSO_NODE node)
if(NOT CALYPSO_NPM OR NOT CALYPSO_NODE)
    message(FATAL_ERROR "The web UI needs node and npm (scripts/install-deps installs them); "
                        "configure with -DCALYPSO_BUILD_WEB=OFF to build without the UI.")
endif()

set(CALYPSO_WEB_SRC ${PROJECT_SOURCE_DIR}/web)
set(CALYPSO_WEB_OUT ${PROJECT_BINARY_DIR}/web)
file(GLOB_RECURSE calypso_web_sources CONFIGURE_DEPENDS ${CALYPSO_WEB_SRC}/src/*)
set(calypso_web_inputs ${calypso_web_sources} ${CALYPSO_WEB_SRC}/index.html
    ${CALYPSO_WEB_SRC}/package.json ${CALYPSO_WEB_SRC}/package-lock.json
    ${CALYPSO_WEB_SRC}/tsconfig.json ${CALYPSO_WEB_SRC}/vite.config.ts
    ${CALYPSO_WEB_SRC}/scripts/compress.mjs ${CALYPSO_WEB_SRC}/scripts/build.sh)

add_custom_command(
    OUTPUT ${CALYPSO_WEB_OUT}/index.html
    COMMAND sh ${CALYPSO_WEB_SRC}/scripts/build.sh ${CALYPSO_WEB_OUT}
    DEPENDS ${calypso_web_inputs}
    WORKING_DIRECTORY ${CALYPSO_WEB_SRC}
    COMMENT "Building the web UI (npm run build) into ${CALYPSO_WEB_OUT}"
    USES_TERMINAL
    VERBATIM)
add_custom_target(web ALL DEPENDS ${CALYPSO_WEB_OUT}/index.html)

if(CALYPSO_BUILD_TESTS AND TARGET calypso)
    add_subdirectory(tests/e2e/web)
endif()

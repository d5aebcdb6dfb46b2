# Man pages, completions and the Debian package. Included last from the top CMakeLists.txt.

# Man pages: docs/man/NAME.SECTION.scd -> man/manSECTION/NAME.SECTION.gz, converted with scdoc at
# build time (Debian package scdoc) and compressed as Debian policy asks (gzip -n: no timestamp,
# so builds are reproducible).
find_program(RINGSIDE_SCDOC scdoc)
file(GLOB ringside_man_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/*.scd)
set(ringside_man_pages)
if(RINGSIDE_SCDOC)
  foreach(source ${ringside_man_sources})
    get_filename_component(page ${source} NAME_WLE)          # ringside-ring.1
    string(REGEX REPLACE "^.*\\.([0-9])$" "\\1" section ${page})
    set(output ${PROJECT_BINARY_DIR}/man/man${section}/${page}.gz)
    add_custom_command(OUTPUT ${output}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man/man${section}
      COMMAND sh -c "${RINGSIDE_SCDOC} < ${source} > ${output}.roff && gzip -9nf ${output}.roff && mv ${output}.roff.gz ${output}"
      DEPENDS ${source}
      COMMENT "scdoc ${page}"
      VERBATIM)
    list(APPEND ringside_man_pages ${output})
    install(FILES ${output} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(man ALL DEPENDS ${ringside_man_pages})
else()
  message(WARNING "scdoc not found: man pages are not built (apt-get install scdoc)")
endif()

# Completions, where bash-completion and Debian's zsh look for them.
install(FILES ${PROJECT_SOURCE_DIR}/completions/ringside.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ringside)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_ringside
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# The JSON Schemas of every tool's --json document (docs/json.md).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/json-schema/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/ringside/json-schema FILES_MATCHING PATTERN "*.json")

# The Debian package: ringside_<version>_amd64.deb, dependencies from dpkg-shlibdeps.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ringside)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "ringside maintainers <ringside@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Linux systems toolkit: kernel modules, process memory maps, heap checker, privilege rings")
set(CPACK_PACKAGE_DESCRIPTION
  "One multi-call binary, ringside, with kmod-compatible module tools (lsmod, insmod, rmmod,\nmodinfo, modprobe, depmod), pmap/smem-style memory views, a heap checker that needs no\nrecompilation, and a probe of what ring 3 may do.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/ringside/ringside")
# The package carries stripped binaries (the build tree keeps its debug information).
set(CPACK_STRIP_FILES ON)
include(CPack)

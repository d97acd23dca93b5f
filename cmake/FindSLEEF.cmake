# Finds SLEEF (vectorised elementary functions) and defines the imported target SLEEF::sleef.
#
# Result variables: SLEEF_FOUND, SLEEF_INCLUDE_DIR, SLEEF_LIBRARY.
# Installed beside scorepath's package files, so that find_dependency(SLEEF) works for consumers.
include(FindPackageHandleStandardArgs)

find_path(SLEEF_INCLUDE_DIR sleef.h)
find_library(SLEEF_LIBRARY sleef)
find_package_handle_standard_args(SLEEF REQUIRED_VARS SLEEF_LIBRARY SLEEF_INCLUDE_DIR
  FAIL_MESSAGE "SLEEF not found: install it (Debian: libsleef-dev, see scripts/setup.sh)")

if(SLEEF_FOUND AND NOT TARGET SLEEF::sleef)
  add_library(SLEEF::sleef UNKNOWN IMPORTED)
  set_target_properties(SLEEF::sleef PROPERTIES
    IMPORTED_LOCATION "${SLEEF_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${SLEEF_INCLUDE_DIR}")
endif()
mark_as_advanced(SLEEF_INCLUDE_DIR SLEEF_LIBRARY)

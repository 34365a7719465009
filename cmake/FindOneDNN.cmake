# Finds oneDNN by its header and shared library and wraps them in the imported target DNNL::dnnl.
#
# Why not find_package(dnnl CONFIG): Debian's libdnnl-dev is built with the OpenCL GPU runtime,
# and its dnnl-config.cmake calls find_package(OpenCL REQUIRED). The OpenCL headers come from
# ocl-icd-opencl-dev, only a Recommends of libdnnl-dev, so a fresh `apt-get install
# --no-install-recommends` cannot configure. greenbert uses oneDNN's CPU engine alone and never
# includes dnnl_ocl.hpp; libdnnl.so itself links libOpenCL.so.1 (a Depends, always installed).
find_path(OneDNN_INCLUDE_DIR NAMES dnnl.hpp)
find_library(OneDNN_LIBRARY NAMES dnnl)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OneDNN REQUIRED_VARS OneDNN_LIBRARY OneDNN_INCLUDE_DIR)

if(OneDNN_FOUND AND NOT TARGET DNNL::dnnl)
  add_library(DNNL::dnnl UNKNOWN IMPORTED)
  set_target_properties(DNNL::dnnl PROPERTIES
    IMPORTED_LOCATION "${OneDNN_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${OneDNN_INCLUDE_DIR}")
endif()
mark_as_advanced(OneDNN_INCLUDE_DIR OneDNN_LIBRARY)

# How the test suite starts programs under MPI on one machine.
#
# Sets SCOREPATH_MPIEXEC (the launcher and the flags that let it start more ranks than there are
# cores) and SCOREPATH_MPIEXEC_ENVIRONMENT (for set_tests_properties ENVIRONMENT). Open MPI refuses
# to start as root unless told that is meant (CI machines run as root), and in containers its
# shared-memory transport cannot always use cross-memory attach, so it copies through shared
# memory instead.
execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE _sp_mpiexec_version
                ERROR_QUIET)
set(SCOREPATH_MPIEXEC ${MPIEXEC_EXECUTABLE})
set(SCOREPATH_MPIEXEC_ENVIRONMENT "")
if(_sp_mpiexec_version MATCHES "Open MPI|OpenRTE")
  list(APPEND SCOREPATH_MPIEXEC --oversubscribe)
  set(SCOREPATH_MPIEXEC_ENVIRONMENT
      "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_btl_vader_single_copy_mechanism=none")
endif()

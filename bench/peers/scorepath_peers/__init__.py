"""The modules behind bench/peers/peers.py (run that script; this package has no entry of its own).

  common       problem constants, the exact EM-chain moments, timing and loss-agreement helpers
  machine      CPU model and flags, peer versions, binaries, restarting under the system Python
  blas         which OpenBLAS core the peers load, and the best one for this CPU
  workers      subprocess workers (numpy EM, BLAS probe) and running them side by side
  em           the Euler-Maruyama comparison (scorepath, numpy, PyTorch, QuantLib)
  ssm_torch    PyTorch's sliced score matching: models, double backprop, forward mode
  ssm          the sliced score matching comparison
  report       the printed tables
  cli          the command line
"""

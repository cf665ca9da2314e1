"""``python -m scn.golden`` as a command: PASS and exit 0 (eager and compiled paths); the
compiled path on CUDA exits 2 (CUDA code generation is not implemented)."""

import os
import subprocess
import sys

import pytest

import scn.compiled
from scn_test_helpers import GOLDEN_DIR, PY_ROOT


def run(*args):
    env = dict(os.environ)
    env['PYTHONPATH'] = PY_ROOT + os.pathsep + env.get('PYTHONPATH', '')
    return subprocess.run([sys.executable, '-m', 'scn.golden'] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120)


def test_cli_pass():
    r = run(os.path.join(GOLDEN_DIR, 'conv3d_f3s2.npz'), '--path', 'eager', '--target', 'cpu')
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith('PASS conv3d_f3s2 max_err=')


@pytest.mark.skipif(not scn.compiled.tools_available(),
                    reason='scn-import-torch / scn-compile are not built')
def test_cli_compiled_pass():
    r = run(os.path.join(GOLDEN_DIR, 'conv3d_f3s2.npz'), '--path', 'compiled', '--target', 'cpu')
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith('PASS conv3d_f3s2 max_err=')


@pytest.mark.skipif(not scn.compiled.tools_available(),
                    reason='scn-import-torch / scn-compile are not built')
@pytest.mark.skipif(not os.access('/usr/local/cuda/bin/ptxas', os.X_OK) and
                    not os.environ.get('CUDA_HOME'), reason='needs ptxas (CUDA toolkit)')
def test_cli_compiled_cuda():
    """Compiles for CUDA; where no GPU is, the run fails with that reason."""
    r = run(os.path.join(GOLDEN_DIR, 'conv3d_f3s2.npz'), '--path', 'compiled', '--target', 'cuda')
    if r.returncode == 0:
        assert r.stdout.startswith('PASS conv3d_f3s2 max_err=')
    else:
        assert r.returncode == 1, r.stdout + r.stderr
        assert 'compiled for CUDA and needs a GPU' in r.stdout, r.stdout + r.stderr


def test_cli_detects_a_wrong_expectation(tmp_path):
    import numpy as np
    z = dict(np.load(os.path.join(GOLDEN_DIR, 'nin2d.npz')))
    z['out_features_sorted'] = z['out_features_sorted'] + 0.01
    bad = str(tmp_path / 'nin2d_bad.npz')
    np.savez(bad, **z)
    r = run(bad)
    assert r.returncode == 1
    assert r.stdout.startswith('FAIL nin2d') and 'output features' in r.stdout

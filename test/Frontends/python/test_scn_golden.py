"""Every golden case (SparseConvNet's own outputs) passes on the eager path.

Both descriptions are run: ``spec_json`` (built with the builder functions,
SparseVggNet/UNet) and ``spec_flat_json`` (primitive layers only).  The
comparison rules are those of test/golden/README.md (implemented in
scn.golden), including the running statistics of the train-mode case.
"""

import json
import os

import numpy as np
import pytest
import torch

from scn_test_helpers import GOLDEN_FILES
from scn import golden
from scn.spec import build_from_spec

CASES = [os.path.basename(f)[:-4] for f in GOLDEN_FILES]


def test_all_cases_present():
    assert len(GOLDEN_FILES) >= 25


@pytest.mark.parametrize('flat', [False, True], ids=['spec_json', 'spec_flat_json'])
@pytest.mark.parametrize('path', GOLDEN_FILES, ids=CASES)
def test_golden_eager_cpu(path, flat):
    name, cmp = golden.run_case(path, flat=flat, inter=not flat)
    assert cmp.ok, '%s: %s' % (name, '; '.join(cmp.messages))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.parametrize('path', GOLDEN_FILES, ids=CASES)
def test_golden_eager_cuda(path):
    name, cmp = golden.run_case(path, target='cuda')
    assert cmp.ok, '%s: %s' % (name, '; '.join(cmp.messages))


@pytest.mark.parametrize('path', GOLDEN_FILES, ids=CASES)
def test_spec_state_dict_names_match_file(path):
    """The model built from spec_json has exactly the file's param/ names (SCN nesting)."""
    z = np.load(path)
    spec = json.loads(str(z['spec_json']))
    _, model = build_from_spec(spec, z)
    names = {k[len('param/'):] for k in z.files if k.startswith('param/')}
    assert set(model.state_dict()) == names
    # and an SCN state_dict (the file's arrays under their own names) loads strictly
    sd = {n: torch.from_numpy(z['param/' + n]) for n in names}
    model.load_state_dict(sd, strict=True)


def test_train_case_updates_running_stats():
    """batchnorm_train: the running stats really change (and match expect_param/ in run_case)."""
    path = [f for f in GOLDEN_FILES if f.endswith('batchnorm_train.npz')][0]
    z = np.load(path)
    name, cmp = golden.run_case(path)
    assert cmp.ok, cmp.messages
    keys = [k for k in z.files if k.startswith('expect_param/')]
    assert keys
    for k in keys:
        assert not np.allclose(z[k], z['param/' + k[len('expect_param/'):]])

"""Build networks from the JSON network description used by the golden files.

A spec names SparseConvNet classes and their constructor arguments under
SCN's own names (see test/golden/README.md, section 2).  Builders
(SparseVggNet, UNet, ...) are built by calling our builder functions, so
their nesting and parameter names are exercised, not bypassed.  Parameters
are loaded strictly: every parameter/buffer of a layer must be named by
the spec, every name must exist, shapes must match.

The compiled path reuses ``build_from_spec`` to get the same modules.
"""

import inspect
import json

import numpy as np
import torch

from . import nn as scn_nn

# type name -> constructor; ``dimension`` is passed when the constructor takes it.
LAYER_TYPES = {name: getattr(scn_nn, name) for name in scn_nn.__all__}


def _takes_dimension(ctor):
    try:
        params = list(inspect.signature(ctor).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] == 'dimension'


def _array(arrays, ref, where):
    try:
        a = arrays[ref]
    except KeyError:
        raise ValueError('%s: the spec refers to array %r, which is not in the file' % (where, ref))
    return np.asarray(a)


def load_named(module, mapping, arrays, where):
    """Copy ``arrays[mapping[name]]`` into ``module.state_dict()[name]`` for every name, strictly."""
    sd = module.state_dict()
    mapping = dict(mapping or {})
    missing = sorted(set(sd) - set(mapping))
    unknown = sorted(set(mapping) - set(sd))
    if missing or unknown:
        raise ValueError('%s: parameter names do not match the module (no array for %s; '
                         'unknown names %s)' % (where, missing, unknown))
    with torch.no_grad():
        for name, ref in mapping.items():
            a = _array(arrays, ref, where)
            if tuple(a.shape) != tuple(sd[name].shape):
                raise ValueError('%s: %s has shape %s in the module but %r holds %s'
                                 % (where, name, tuple(sd[name].shape), ref, tuple(a.shape)))
            sd[name].copy_(torch.from_numpy(np.ascontiguousarray(a)).to(sd[name].dtype))


def build_layer(desc, dimension, arrays=None, where='layer'):
    """One spec layer (recursively) -> module, with its parameters loaded when ``arrays`` is given."""
    t = desc.get('type')
    if t == 'Sequential':
        m = scn_nn.Sequential()
        for i, sub in enumerate(desc.get('layers', [])):
            m.add(build_layer(sub, dimension, arrays, '%s.%d' % (where, i)))
    elif t == 'ConcatTable':
        # every branch is a layer list applied in sequence: one Sequential per branch
        m = scn_nn.ConcatTable()
        for j, branch in enumerate(desc.get('branches', [])):
            s = scn_nn.Sequential()
            for i, sub in enumerate(branch):
                s.add(build_layer(sub, dimension, arrays, '%s.%d.%d' % (where, j, i)))
            m.add(s)
    elif t in LAYER_TYPES:
        ctor = LAYER_TYPES[t]
        kwargs = {k: v for k, v in desc.items() if k not in ('type', 'params', 'state_dict')}
        try:
            m = ctor(dimension, **kwargs) if _takes_dimension(ctor) else ctor(**kwargs)
        except TypeError as e:
            raise ValueError('%s (%s): bad arguments %s: %s' % (where, t, kwargs, e))
    else:
        raise ValueError('%s: unknown layer type %r' % (where, t))
    if arrays is not None and t not in ('Sequential', 'ConcatTable'):
        mapping = desc.get('state_dict', desc.get('params'))
        load_named(m, mapping, arrays, '%s (%s)' % (where, t))
    return m


def build_from_spec(spec, arrays=None):
    """spec dict (or JSON string) + arrays (npz-like mapping) -> (input_layer, model).

    ``model`` is a Sequential of the spec's top-level layers, so its
    state_dict names are those of the golden ``param/...`` arrays; it is in
    train or eval mode as the spec says.
    """
    if isinstance(spec, str):
        spec = json.loads(spec)
    d = int(spec['dimension'])
    input_layer = scn_nn.InputLayer(d, spec['spatial_size'], mode=int(spec.get('input_mode', 3)))
    model = scn_nn.Sequential()
    for i, desc in enumerate(spec['layers']):
        model.add(build_layer(desc, d, arrays, 'layer %d' % i))
    model.train(bool(spec.get('train', False)))
    return input_layer, model


def input_from_spec(spec, arrays):
    """The InputLayer's argument list [coords, features(, batch_size)] as torch tensors."""
    if isinstance(spec, str):
        spec = json.loads(spec)
    coords = torch.from_numpy(np.ascontiguousarray(_array(arrays, spec.get('coords', 'coords'), 'input')))
    features = torch.from_numpy(np.ascontiguousarray(
        _array(arrays, spec.get('features', 'features'), 'input')))
    x = [coords.long(), features]
    if 'batch_size' in spec:
        x.append(int(spec['batch_size']))
    return x

"""SparseConvNetTensor: features plus the geometry they live on.

As in SparseConvNet, the tensor is a plain holder: ``features`` [N, C] (an
ordinary torch tensor, so autograd just works), ``metadata`` (the shared
per-input geometry, see ``metadata.py``) and ``spatial_size`` (a CPU
LongTensor naming which active set of the metadata the rows belong to).
"""

import torch

from .utils import as_tuple


class SparseConvNetTensor(object):
    def __init__(self, features=None, metadata=None, spatial_size=None, sites_token=None):
        self.features = features
        self.metadata = metadata
        # Only while tracing: the sites tensor of the scn ops (see ops.py).
        self.sites_token = sites_token
        if spatial_size is not None and not isinstance(spatial_size, torch.Tensor):
            spatial_size = torch.tensor(as_tuple(spatial_size), dtype=torch.int64)
        self.spatial_size = spatial_size

    # -- geometry ----------------------------------------------------------
    @property
    def sites(self):
        """The SiteSet the feature rows belong to."""
        return self.metadata.get_sites(self.spatial_size, 'SparseConvNetTensor')

    def get_spatial_locations(self, spatial_size=None):
        """Coordinates [N, D+1] (batch index last) of the active sites, on the CPU."""
        if spatial_size is None:
            spatial_size = self.spatial_size
        return self.metadata.get_spatial_locations(spatial_size)

    def batch_size(self):
        return self.metadata.get_batch_size(self.spatial_size)

    # -- device / dtype helpers (features only, like SparseConvNet) ----------
    def to(self, *args, **kwargs):
        self.features = self.features.to(*args, **kwargs)
        return self

    def type(self, t=None):
        if t:
            self.features = self.features.type(t)
            return self
        return self.features.type()

    def cuda(self):
        self.features = self.features.cuda()
        return self

    def cpu(self):
        self.features = self.features.cpu()
        return self

    def detach(self):
        return SparseConvNetTensor(self.features.detach(), self.metadata, self.spatial_size,
                                   self.sites_token)

    @property
    def requires_grad(self):
        return self.features.requires_grad

    def __repr__(self):
        n = None if self.features is None else list(self.features.shape)
        return 'SparseConvNetTensor<<features.shape=%s, spatial_size=%s, metadata=%r>>' % (
            n, None if self.spatial_size is None else as_tuple(self.spatial_size), self.metadata)


def derive(input, features, spatial_size=None, metadata=None, sites_token=None):
    """A tensor on the same geometry as ``input`` (or another size/metadata).

    While tracing, a tensor on new geometry must be given its sites tensor;
    on the same geometry it keeps the input's.
    """
    if sites_token is None and spatial_size is None and metadata is None:
        sites_token = input.sites_token
    return SparseConvNetTensor(
        features,
        input.metadata if metadata is None else metadata,
        input.spatial_size if spatial_size is None else spatial_size,
        sites_token)

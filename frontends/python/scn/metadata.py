"""Per-input geometry: one active set per spatial size, plus cached kernel maps.

This mirrors SparseConvNet's ``Metadata``: within one network input a
spatial size identifies exactly one active set.  A strided convolution or
pooling creates the set at its (smaller) output size; a Deconvolution or
UnPooling maps back onto the set that already exists at its (larger) output
size; a FullConvolution starts a new Metadata holding the input set and the
new full-support set.  Kernel maps are cached under the same keys SCN uses
(input size, filter size, stride), so a Deconvolution reuses the map of the
Convolution it undoes (including a randomized-stride one).
"""


from . import geometry
from .utils import as_tuple, size_str


class Metadata(object):
    def __init__(self, dimension):
        self.dimension = int(dimension)
        self.sets = {}          # spatial size tuple -> SiteSet
        self.kernel_maps = {}   # cache key -> KernelMap
        self.input_rules = None  # InputLayer: (row_site [N], n_rows, mode)
        self.bl_rules = None     # BLInputLayer: (row_site [B*L], (B, L), mode)

    # -- active sets -----------------------------------------------------
    def set_sites(self, sites):
        self.sets[sites.spatial_size] = sites

    def has_sites(self, spatial_size):
        return as_tuple(spatial_size) in self.sets

    def get_sites(self, spatial_size, layer='layer'):
        key = as_tuple(spatial_size)
        try:
            return self.sets[key]
        except KeyError:
            known = ', '.join(size_str(s) for s in sorted(self.sets)) or 'none'
            raise ValueError('%s: no active set at spatial size %s in this input '
                             '(known sizes: %s)' % (layer, size_str(key), known))

    def _adopt(self, sites, layer):
        """Register a newly computed set, refusing a different set at that size."""
        old = self.sets.get(sites.spatial_size)
        if old is None:
            self.sets[sites.spatial_size] = sites
            return sites
        if not old.same_sites(sites):
            raise ValueError(
                '%s: a different active set already exists at spatial size %s; '
                'within one input a spatial size must identify one active set'
                % (layer, size_str(sites.spatial_size)))
        return old

    # -- kernel maps ------------------------------------------------------
    def submanifold_map(self, spatial_size, filter_size, layer='SubmanifoldConvolution'):
        key = ('submanifold', as_tuple(spatial_size), as_tuple(filter_size))
        km = self.kernel_maps.get(key)
        if km is None:
            km = geometry.submanifold_map(self.get_sites(spatial_size, layer), as_tuple(filter_size))
            self.kernel_maps[key] = km
        return km

    def convolution_map(self, in_size, filter_size, stride, randomized=False,
                        layer='Convolution'):
        """Map from the set at ``in_size`` to its downsampled set (created if needed).

        Returns ``(out_size, KernelMap)``.
        """
        in_size, filter_size, stride = as_tuple(in_size), as_tuple(filter_size), as_tuple(stride)
        out_size = geometry.output_spatial_size(in_size, filter_size, stride, layer)
        key = ('strided', in_size, filter_size, stride)
        km = self.kernel_maps.get(key)
        if km is not None:
            return out_size, km
        sites = self.get_sites(in_size, layer)
        if randomized:
            starts = geometry.randomized_window_starts(in_size, out_size, filter_size, stride)
        else:
            starts = geometry.regular_window_starts(out_size, stride)
        existing = self.sets.get(out_size)
        out_sites, km = geometry.strided_map(sites, filter_size, out_size, starts, layer=layer)
        if existing is not None:
            self._adopt(out_sites, layer)
            # same sites, possibly another row order: re-target onto the existing rows
            out_sites, km = geometry.strided_map(sites, filter_size, out_size, starts,
                                                 out_sites=existing, layer=layer)
        else:
            self.sets[out_size] = out_sites
        self.kernel_maps[key] = km
        return out_size, km

    def deconvolution_map(self, in_size, filter_size, stride, layer='Deconvolution'):
        """Map for Deconvolution/UnPooling from the set at ``in_size`` (small) onto the
        existing set at ``(in - 1) * t + s`` (large).

        Reuses the strided map of the matching Convolution when it was built;
        otherwise the pairs are computed against the two existing sets.
        Returns ``(out_size, KernelMap)`` oriented small -> large.
        """
        in_size, filter_size, stride = as_tuple(in_size), as_tuple(filter_size), as_tuple(stride)
        out_size = geometry.transposed_spatial_size(in_size, filter_size, stride)
        key = ('strided', out_size, filter_size, stride)
        km = self.kernel_maps.get(key)
        if km is None:
            key2 = ('strided-lookup', out_size, filter_size, stride)
            km = self.kernel_maps.get(key2)
            if km is None:
                if out_size not in self.sets:
                    raise ValueError(
                        '%s: no active set at the output spatial size %s; a %s maps back '
                        'onto the set of the matching downsampling layer (in %s, filter %s, '
                        'stride %s)' % (layer, size_str(out_size), layer, size_str(in_size),
                                        size_str(filter_size), size_str(stride)))
                big = self.sets[out_size]
                small = self.get_sites(in_size, layer)
                starts = geometry.regular_window_starts(in_size, stride)
                _, km = geometry.strided_map(big, filter_size, in_size, starts,
                                             out_sites=small, layer=layer)
                self.kernel_maps[key2] = km
        return out_size, km.transposed()

    def full_convolution(self, in_size, filter_size, stride, layer='FullConvolution'):
        """New Metadata with the input set and the full transposed support.

        Returns ``(new_metadata, out_size, KernelMap)``.
        """
        in_size, filter_size, stride = as_tuple(in_size), as_tuple(filter_size), as_tuple(stride)
        sites = self.get_sites(in_size, layer)
        out_sites, km = geometry.full_convolution_map(sites, filter_size, stride)
        m = Metadata(self.dimension)
        m.sets[in_size] = sites
        m.sets[out_sites.spatial_size] = out_sites
        return m, out_sites.spatial_size, km

    # -- SparseConvNet-compatible queries ---------------------------------
    def get_spatial_locations(self, spatial_size):
        """Coordinates [N, D+1] (batch last) of the active sites at that size, on the CPU."""
        return self.get_sites(spatial_size, 'getSpatialLocations').coords.cpu()

    def get_batch_size(self, spatial_size):
        return self.get_sites(spatial_size, 'getBatchSize').batch_size

    def get_n_active(self, spatial_size):
        return len(self.get_sites(spatial_size, 'getNActive'))

    getSpatialLocations = get_spatial_locations
    getBatchSize = get_batch_size
    getNActive = get_n_active

    def __repr__(self):
        return 'Metadata(dimension=%d, sets={%s})' % (
            self.dimension, ', '.join('%s: %d' % (size_str(k), len(v)) for k, v in self.sets.items()))

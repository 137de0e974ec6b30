"""Join what users write with how they behave, in one weighted feature space."""

from segkit.fuse.fusion import FusedFeatures, fuse_features

__all__ = ["FusedFeatures", "fuse_features"]

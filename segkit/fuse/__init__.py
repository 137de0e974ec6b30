"""Join what users write with how they behave, in one weighted feature space."""

from segkit.fuse.fusion import FittedFusion, FusedFeatures, Fusion, fuse_features

__all__ = ["FittedFusion", "FusedFeatures", "Fusion", "fuse_features"]

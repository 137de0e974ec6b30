"""The one place where clusterers are registered by name."""

from __future__ import annotations

from segkit.cluster.agglomerative import AgglomerativeClusterer
from segkit.cluster.base import Clusterer
from segkit.cluster.density import DbscanClusterer, HdbscanClusterer
from segkit.cluster.gmm import GaussianMixtureClusterer
from segkit.cluster.kmeans import KMeansClusterer, MiniBatchKMeansClusterer
from segkit.registry import Registry

CLUSTERERS = Registry("algorithm", {
    "kmeans": KMeansClusterer,
    "minibatch_kmeans": MiniBatchKMeansClusterer,
    "hdbscan": HdbscanClusterer,
    "dbscan": DbscanClusterer,
    "agglomerative": AgglomerativeClusterer,
    "gmm": GaussianMixtureClusterer,
})


def get_clusterer(name: str, **params) -> Clusterer:
    return CLUSTERERS.create(name, **params)

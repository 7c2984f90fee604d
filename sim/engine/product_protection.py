"""Vaccine protection from the products of a country's courses (stage 7b, every
``products.refresh_days`` days; :mod:`sim.engine.products` keeps the doses).

The epidemic's ``ve_course`` (2, E, N, V) of a tracking member's country is set to the
protection of its courses weighted by product: ``Σ_q w_q prot[k, q, class(v)]`` with ``w``
the share of the country's courses given with product q (``sim/data/products.csv``:
against infection and death, by variant class ancestral/Alpha, Delta, Omicron); a strain
of no class (emergent, or an unnamed scheduled variant) gets the ancestral class's
protection times one minus its escape. Countries with no course yet keep the epidemic's
value. Sums run product by product, so a member's values do not depend on its batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.build.product_params import ProductParams
from sim.engine.kernels import backend

if TYPE_CHECKING:
    from sim.engine.products import ProductState


def _shares(amounts: np.ndarray) -> np.ndarray:
    total = amounts.sum(axis=-1, keepdims=True)
    return np.divide(amounts, total, out=np.zeros(amounts.shape), where=total > 0)


def course_protection(ps: ProductState, pp: ProductParams, strains: np.ndarray) -> np.ndarray:
    """(2, E, N, V) protection of a country's courses against [infection, death] per
    strain slot, weighted by the products of its courses (0 where it has none).

    strains : (E, V, 4) the epidemic's strain table (transmissibility, escape,
        escape_death, severity)
    """
    w = _shares(ps.courses)                                                       # (E, N, Q)
    cls = pp.strain_class                                                      # (E, V)
    by_class = pp.protection[:, :, np.maximum(cls, 0)]                         # (2, Q, E, V)
    E, N, Q = w.shape
    named = np.zeros((2, E, N, cls.shape[1]))
    base = np.zeros((2, E, N))
    for q in range(Q):  # products: a handful; the same order of addition in any batch
        named += w[None, :, :, q, None] * by_class[:, q, :, None, :]
        base += w[None, :, :, q] * pp.protection[:, q, 0, None, None]
    esc = np.moveaxis(strains[:, :, 1:3], 2, 0)                               # (2, E, V)
    other = base[..., None] * (1.0 - esc[:, :, None, :])
    return np.where(cls[None, :, None, :] >= 0, named, other)


def refresh_protection(ps: ProductState, pp: ProductParams, epi,
                       due: np.ndarray | None = None) -> None:
    """Set ``epi.ve_course`` of product-tracking members (those ``due`` (E,) bool, default
    all) in countries that have given courses to their product-weighted protection:
    compiled (:func:`sim.engine.kernels.product_protection.refresh_day`), or the numpy
    reference with ``VAXSIM_BACKEND=numpy``.
    """
    if epi is None:
        return
    on = pp.enabled if due is None else pp.enabled & due
    if backend() == "numba":
        from sim.engine.kernels.product_protection import refresh_day

        refresh_day(ps.courses, pp.protection, pp.strain_class, epi.strains, on,
                    epi.ve_course)
    else:
        _refresh_reference(ps, pp, epi, on)
    epi.changed()       # the epidemic's immunity tables follow


def _refresh_reference(ps: ProductState, pp: ProductParams, epi, on: np.ndarray) -> None:
    """The numpy reference of :func:`refresh_protection` for members ``on`` (E,) bool."""
    ve = course_protection(ps, pp, epi.strains)
    mask = on[:, None] & (ps.courses.sum(axis=2) > 0)                          # (E, N)
    epi.ve_course[...] = np.where(mask[None, :, :, None], ve, epi.ve_course)



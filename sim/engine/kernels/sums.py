"""Sums inside kernels that add in exactly numpy's order, so kernels and their numpy
references give the same doses bit for bit.

numpy sums a contiguous row pairwise (blocks of up to 128 added with 8 running partial
sums, larger runs split in halves at multiples of 8); ``np.add.reduceat`` starts from a
segment's first element and adds the pairwise sum of the rest. ``tests/engine/kernels``
checks both against numpy on rows of every length up to a few hundred and beyond.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels import jit


def _block(a: np.ndarray, lo: int, n: int) -> float:
    """Sum a run of at most 128 elements as numpy does."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    m = n - n % 8
    while i < m:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


_block_sum = jit(_block)


@jit
def _stack_sum(a: np.ndarray, lo: int, n: int) -> float:
    """Pairwise sum of any run in numpy's order, with an explicit stack (allocates two small
    arrays: used only for runs of more than about 2,000 elements).
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    frames = np.empty((64, 3), dtype=np.int64)   # (lo, n, phase); depth ~ log2(n / 128)
    values = np.empty(64)
    top, count = 0, 0
    frames[0, 0], frames[0, 1], frames[0, 2] = lo, n, 0
    while top >= 0:
        flo, fn, phase = frames[top, 0], frames[top, 1], frames[top, 2]
        if fn <= 128:
            values[count] = _block_sum(a, flo, fn)
            count += 1
            top -= 1
            continue
        half = fn // 2
        half -= half % 8
        if phase == 0:  # left half next
            frames[top, 2] = 1
            top += 1
            frames[top, 0], frames[top, 1], frames[top, 2] = flo, half, 0
        elif phase == 1:  # then the right half
            frames[top, 2] = 2
            top += 1
            frames[top, 0], frames[top, 1], frames[top, 2] = flo + half, fn - half, 0
        else:  # both done: left + right
            count -= 1
            values[count - 1] = values[count - 1] + values[count]
            top -= 1
    return values[0]


@jit
def _sum0(a: np.ndarray, lo: int, n: int) -> float:
    return _block_sum(a, lo, n) if n <= 128 else _stack_sum(a, lo, n)


@jit
def _sum1(a: np.ndarray, lo: int, n: int) -> float:
    if n <= 128:
        return _block_sum(a, lo, n)
    h = n // 2 - (n // 2) % 8
    return _sum0(a, lo, h) + _sum0(a, lo + h, n - h)


@jit
def _sum2(a: np.ndarray, lo: int, n: int) -> float:
    if n <= 128:
        return _block_sum(a, lo, n)
    h = n // 2 - (n // 2) % 8
    return _sum1(a, lo, h) + _sum1(a, lo + h, n - h)


@jit
def _sum3(a: np.ndarray, lo: int, n: int) -> float:
    if n <= 128:
        return _block_sum(a, lo, n)
    h = n // 2 - (n // 2) % 8
    return _sum2(a, lo, h) + _sum2(a, lo + h, n - h)


@jit
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """``a[lo:lo + n].sum()`` for a 1-d float64 array ``a``, in numpy's order.

    Runs longer than 128 split in two at half their length rounded down to a multiple of
    8, each half summed the same way. No recursion (numba's on-disk cache cannot hold a
    self-recursive function safely): four levels of splitting are written out, which
    covers runs up to about 2,000 elements without allocating; deeper levels use an
    explicit stack.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    h = n // 2 - (n // 2) % 8
    return _sum3(a, lo, h) + _sum3(a, lo + h, n - h)


def _inlined(func):
    from numba import njit

    return njit(inline="always", cache=True, nogil=True, error_model="numpy")(func)


_block_inline = _inlined(_block)


def _short_sum(a: np.ndarray, lo: int, n: int) -> float:
    return _block_inline(a, lo, n) if n <= 128 else pairwise_sum(a, lo, n)


#: :func:`pairwise_sum` inlined where it is called: for the short rows a kernel sums once
#: per country (products, producers), where a call per row costs as much as the sum.
short_sum = _inlined(_short_sum)


@jit
def row_sum(a: np.ndarray) -> float:
    """``a.sum()`` of a 1-d float64 array, in numpy's order."""
    return pairwise_sum(a, 0, a.shape[0])


@jit
def segment_sums(x: np.ndarray, order: np.ndarray, starts: np.ndarray, present: np.ndarray,
                 contiguous: bool, out: np.ndarray, scratch: np.ndarray) -> None:
    """``Segments.sum`` of one row: ``out[k]`` (K,) the sum of ``x`` (N,) over segment k.

    ``order``, ``starts``, ``present`` and ``contiguous`` are those of
    :class:`sim.engine.segments.Segments` (``contiguous``: its ``slices`` path, columns
    already sorted by label); ``scratch`` is an (N,) buffer.
    """
    out[:] = 0.0
    S = starts.shape[0]
    M = order.shape[0]
    if contiguous:
        for s in range(S):
            end = starts[s + 1] if s + 1 < S else M
            out[present[s]] = pairwise_sum(x, starts[s], end - starts[s])
        return
    for i in range(M):
        scratch[i] = x[order[i]]
    for s in range(S):
        end = starts[s + 1] if s + 1 < S else M
        # np.add.reduceat: the segment's first element plus the pairwise sum of the rest
        out[present[s]] = scratch[starts[s]] + pairwise_sum(scratch, starts[s] + 1,
                                                            end - starts[s] - 1)


@jit
def marked_bucket_sum(stock: np.ndarray, e: int, used: np.ndarray, out: np.ndarray) -> None:
    """``out[n] = Σ_b stock[b, e, n]`` (``out`` (N,) doses) over the shelf-life buckets in
    use, added one after another in bucket order (numpy's order for a sum over the
    leading axis, ``ordered_sum``).

    stock : (B, E, N) doses by shelf-life bucket; used : (E, B) bool, False where the
    bucket is zero in every country of member e (the fused dose day's marks,
    :func:`sim.engine.dose_day.stock_marks`): those buckets are skipped, as they would add
    exact zeros. ``out`` is all zeros when no bucket is in use.
    """
    N = out.shape[0]
    started = False
    for b in range(stock.shape[0]):
        if not used[e, b]:
            continue
        if started:
            for n in range(N):
                out[n] += stock[b, e, n]
        else:
            for n in range(N):
                out[n] = stock[b, e, n]
            started = True
    if not started:
        out[:] = 0.0

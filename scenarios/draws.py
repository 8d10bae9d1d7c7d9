"""A case's own uniform draw: one number per (stream, seed, case), cheap enough for every case.

Common random numbers: options compared on one seed should differ only by what the options do,
so a draw made for a case (is its decision appealed? is its advice sought from a school?) must
give that case the same answer in every option, whatever else the run has drawn before it, and
whenever the council's capacity lets the case reach that point. A generator shared by all cases
cannot do that (its next number depends on how many were drawn before); a number computed from
the seed and the case's id can.

Speed: a ``random.Random`` seeded with a string hashes it with SHA-512 and fills a Mersenne
Twister state of 624 words, for one number: about 5 microseconds, half a second of CPU for the
156,000 decisions of an England year (``benchmarks/simulate.py appeals``). A BLAKE2b digest of
the same inputs (8 bytes, personalised by the stream's name so that streams are independent)
takes about 1 microsecond. Build a generator only for the cases that need more numbers.
"""

from __future__ import annotations

from hashlib import blake2b

_SCALE = 2.0**-53  # 53 bits, as ``random.random()`` gives


def case_uniform(stream: bytes, seed: int, case_id: int) -> float:
    """A uniform number in [0, 1), fixed by ``stream`` (a name of up to 16 bytes, one per
    use: b"tribunal", b"closures"), the run's ``seed`` and the case's id, and by nothing
    else the run does."""
    digest = blake2b(f"{seed} {case_id}".encode(), digest_size=8, person=stream).digest()
    return (int.from_bytes(digest) >> 11) * _SCALE

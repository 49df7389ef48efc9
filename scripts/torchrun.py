#!/usr/bin/env python3
"""torchrun for Debian 12's python3-torch (torch 1.13) on Python 3.11.

Debian's `torchrun` stops before it starts a process: torch 1.13's Std.from_str compares enum members
with ints, which Python 3.11's enums no longer allow, so it returns None for `--redirects`/`--tee`
("'NoneType' object has no attribute 'get'"). This parses those two flags the way torch 1.13
documents them and then runs torch's own launcher (torch.distributed.run), unchanged otherwise:

    python3 scripts/torchrun.py --nproc_per_node=2 train.py --out OUT
    python3 scripts/torchrun.py --nnodes=1 --nproc_per_node=2 --rdzv_backend=c10d --rdzv_endpoint=127.0.0.1:29500 train.py --out OUT

src/job/train.test.ts runs a training job through it. Newer torch releases need none of this.
"""
import re
import sys

from torch.distributed.elastic.multiprocessing import api


def from_str(vm: str):
    """'0'..'3' → one Std for every process; '0:3,1:0' → a Std per local rank (torch 1.13's documented forms)."""
    if re.fullmatch(r"\d", vm):
        return api.Std(int(vm))
    return {int(rank): api.Std(int(std)) for rank, std in (part.split(":") for part in vm.split(","))}


api.Std.from_str = staticmethod(from_str)

from torch.distributed.run import main  # noqa: E402 (after the patch)

if __name__ == "__main__":
    sys.exit(main())

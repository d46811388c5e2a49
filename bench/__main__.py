"""`python -m bench` (or `make bench`): the load benchmark, whose table covers every target."""

import asyncio

from bench.load import main

asyncio.run(main())

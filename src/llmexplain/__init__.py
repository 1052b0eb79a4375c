"""llmexplain: the mathematics behind LLM assistants, small enough to read.

The math modules (`neuron`, `learning`, ...) are plain numpy functions and know
nothing of pages or browsers. `demos` keeps each interactive figure's state and
draws it; `page` is the one boundary the browser calls.
"""

__version__ = "0.1.0"

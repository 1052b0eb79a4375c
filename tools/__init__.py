"""Scripts that make the committed files in data/ and src/llmexplain/unicode_classes.py.

Run each as a module from the checkout's root: `.venv/bin/python -m tools.train_tokenizer`.
"""

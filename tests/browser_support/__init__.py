"""Helpers of the browser test (tests/test_browser.py): a throwaway JupyterLab,
headless Chromium, and a page object that runs a notebook and moves its panels."""

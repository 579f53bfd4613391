#!/usr/bin/env python
"""Packaging for mockloop-mcp (legacy setup.py)."""
from setuptools import find_packages, setup

# version = "0.0.1" in this comment is not the version
setup(
    name="mockloop-mcp",
    version="1.2.0",
    packages=find_packages("src"),
    package_dir={"": "src"},
    python_requires=">=3.9",
    install_requires=["fastapi>=0.110", "mockloop-core==1.2.0"],
)

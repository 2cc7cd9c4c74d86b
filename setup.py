"""Build hook: ship the top-level ``cypher/`` directory inside the wheel as ``graph_builder/cypher``.

``cypher/`` stays at the top of the repository (the design card asks for it); an installed package
finds it through ``importlib.resources`` (see ``graph_builder.store.neo4j_store.cypher_dir``).
Everything else is configured in pyproject.toml.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithCypher(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # editable installs read cypher/ from the checkout
            return
        out = Path(self.build_lib) / "graph_builder" / "cypher"
        out.mkdir(parents=True, exist_ok=True)
        for f in sorted((ROOT / "cypher").glob("*.cypher")):
            self.copy_file(str(f), str(out / f.name))


setup(cmdclass={"build_py": BuildPyWithCypher})

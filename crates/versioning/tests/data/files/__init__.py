"""MockLoop MCP: mock servers from OpenAPI specs."""

from mockloop_mcp.server import serve

__all__ = ["serve", "__version__"]
__version__ = '1.2.0'

"""The driver's offline-first phone app: its shell page, manifest and service worker, and what it keeps."""

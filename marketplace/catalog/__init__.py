"""Producers, products, categories and stock; shop pages and the producer portal."""

"""Tagging: places from the gazetteer, initiatives, slogans."""

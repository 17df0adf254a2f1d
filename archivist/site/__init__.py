"""The site as a whole: taxonomy, glossary, which pages exist, related articles, maps and charts."""

"""The line stages shared by scrapes and saved pages: cleaning, the furniture lexicon, line classification and the learned models, metadata, dates, script folding, slugs."""

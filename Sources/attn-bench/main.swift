print("attn-bench: not built yet")

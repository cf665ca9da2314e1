func.func @size_zero(%s: !scn.sites<2, [4, 0]>) { return }

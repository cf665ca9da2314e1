func.func @size_count(%s: !scn.sites<2, [4, 4, 4]>) { return }

# bench_peers' plots: CPU ns added per packet over no filter, against the
# rule count (log scale), one line per filter, one plot per traffic shape,
# as PNG and SVG. Usage: gnuplot -e "dir='bench/results/peers'" bench/peers/plot.gp
shapes = "udp-1flow udp-4096flows tcp-connect"
titles = "'one UDP flow, 64-byte packets' '4,096 UDP flows (random source ports)' 'new TCP connections (connect + close)'"
configs = "none tc-empty polc-tc polc-xdp ipt-ct ipt-linear nft-linear nft-set xdp-filter"
set logscale x
set logscale y
set xlabel "rules (the matching one last)"
set ylabel "CPU ns added per packet over no filter"
set key outside right
set grid
set xtics ("1" 1, "100" 100, "1,000" 1000, "10,000" 10000)
do for [i = 1:words(shapes)] {
  s = word(shapes, i)
  do for [term = 1:2] {
    if (term == 1) { set terminal pngcairo size 900,520; set output sprintf("%s/%s.png", dir, s) }
    else { set terminal svg size 900,520; set output sprintf("%s/%s.svg", dir, s) }
    set title word(titles, i)
    plot for [c = 3:words(configs) + 1] sprintf("%s/%s.dat", dir, s) using 1:c with linespoints title word(configs, c - 1)
  }
}

set terminal pngcairo size 960,540 font 'DejaVu Sans,11' noenhanced
set output 'stack-gbit_per_s.png'
set title 'stack: Gbit/s  (bars: median, whiskers: min-max)'
set datafile separator '\t'
set datafile missing '?'
set style data histogram
set style histogram errorbars gap 1.5 lw 1.5
set style fill solid 0.85 border rgb '#303030'
set boxwidth 0.9
set errorbars 1.2
set yrange [0:*]
fmt(v) = v >= 100 ? sprintf('%.0f', v) : sprintf('%.3g', v)
set grid ytics lc rgb '#d0d0d0'
set ylabel 'Gbit/s'
set key outside right top
set xtics nomirror
set ytics nomirror
set border 3
plot 'stack-gbit_per_s.dat' using 2:3:4:xtic(1) title 'direct' lc rgb '#80868b', '' using 5:6:7 title 'yastack-stack' lc rgb '#9334e6', '' using ($0 + (0 - 0.5) / (2 + 1.5)):(valid(2) ? 0 : NaN):(fmt(column(2))) with labels rotate by 90 left offset 0,0.4 font ',9' tc rgb '#202020' notitle, '' using ($0 + (1 - 0.5) / (2 + 1.5)):(valid(5) ? 0 : NaN):(fmt(column(5))) with labels rotate by 90 left offset 0,0.4 font ',9' tc rgb '#202020' notitle

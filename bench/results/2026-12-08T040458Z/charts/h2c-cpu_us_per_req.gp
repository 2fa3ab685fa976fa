set terminal pngcairo size 960,540 font 'DejaVu Sans,11' noenhanced
set output 'h2c-cpu_us_per_req.png'
set title 'h2c: proxy CPU µs per request  (bars: median, whiskers: min-max)'
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
set ylabel 'CPU µs/req (us)'
set key outside right top
set xtics nomirror
set ytics nomirror
set border 3
plot 'h2c-cpu_us_per_req.dat' using 2:3:4:xtic(1) title 'yastack' lc rgb '#e8710a', '' using 5:6:7 title 'nginx' lc rgb '#1e8e3e', '' using 8:9:10 title 'haproxy' lc rgb '#1a73e8', '' using ($0 + (0 - 1.0) / (3 + 1.5)):(valid(2) ? 0 : NaN):(fmt(column(2))) with labels rotate by 90 left offset 0,0.4 font ',9' tc rgb '#202020' notitle, '' using ($0 + (1 - 1.0) / (3 + 1.5)):(valid(5) ? 0 : NaN):(fmt(column(5))) with labels rotate by 90 left offset 0,0.4 font ',9' tc rgb '#202020' notitle, '' using ($0 + (2 - 1.0) / (3 + 1.5)):(valid(8) ? 0 : NaN):(fmt(column(8))) with labels rotate by 90 left offset 0,0.4 font ',9' tc rgb '#202020' notitle

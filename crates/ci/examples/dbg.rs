fn main() {
    let src = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let root = tollgate_ci::yaml::parse(&src).unwrap();
    let job = root.get("jobs").unwrap().get("test").unwrap();
    println!("job start {} {:?}", job.start, &src[job.start..job.start+10]);
    for s in job.get("steps").unwrap().items() { println!("step {} {:?}", s.start, &src[s.start..(s.start+10).min(src.len())]); }
    println!("{:?}", tollgate_ci::fix::fix_text(&src));
}
